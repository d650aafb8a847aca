"""Demo data: scenarios written from public news stories of this work, loaded through the real ingestion path."""
