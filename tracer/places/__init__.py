"""Vietnam's administrative units since 1 July 2025 (34 provinces and cities; communes, wards and special
zones, no districts) and the names places had before, so that an old address still finds its place."""
