"""SQLModel tables, one module per area. Import the module you need; this package re-exports nothing."""
