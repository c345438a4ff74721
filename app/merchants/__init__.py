"""The merchant catalogue: fields, categories, queries, pinyin search, import and export."""
