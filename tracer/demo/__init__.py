"""Demo data: the programme's real cases, loaded through the same domain functions as the API and forms."""
