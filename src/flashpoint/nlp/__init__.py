"""Natural-language stages: the spaCy pipeline, gazetteers, actors, dates and coreference."""
