-- client_message_id compares byte for byte: a VARCHAR with a _bin collation pads with
-- spaces when comparing (PAD SPACE), so "abc " collided with "abc" in the unique key.
-- VARBINARY holds the id's UTF-8 bytes (64 characters, up to 4 bytes each) and compares
-- them exactly on MySQL 8, MariaDB and H2.
ALTER TABLE chat_messages MODIFY COLUMN client_message_id VARBINARY(256) NULL;
