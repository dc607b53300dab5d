"""What a verifier needs: package proof bundles, the verdict rules over them, EPCIS 2.0 export."""
