"""Read models for the consoles and the API's listings: scoped, paged queries."""
