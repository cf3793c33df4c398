-- Edits and deletes are events of the chat like messages: each is a row of its own with
-- the next seq (kind 'edit' or 'delete', target_id the message it changes), so resume
-- and gap fill deliver them in order. The message itself shows its current state:
-- content replaced and edited_at set by an edit, content emptied and deleted set by a
-- delete. History lists kind 'message' rows only.
ALTER TABLE chat_messages ADD COLUMN kind VARCHAR(8) NOT NULL DEFAULT 'message';
ALTER TABLE chat_messages ADD COLUMN target_id BIGINT NULL;
ALTER TABLE chat_messages ADD COLUMN edited_at DATETIME(6) NULL;
ALTER TABLE chat_messages ADD COLUMN deleted BOOLEAN NOT NULL DEFAULT FALSE;

-- Unread counts without counting rows: a chat's message_count is how many of its
-- messages are not deleted (edits and deletes are not messages), and a reader's
-- read_count how many of those are at or before their last_read_seq. Unread is the
-- difference. A send moves message_count only; a delete moves message_count and the
-- read_count of readers who had read past the deleted message.
ALTER TABLE service_chats ADD COLUMN message_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE support_chats ADD COLUMN message_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE chat_reads ADD COLUMN read_count BIGINT NOT NULL DEFAULT 0;
UPDATE service_chats SET message_count = last_seq;
UPDATE support_chats SET message_count = last_seq;
UPDATE chat_reads SET read_count = last_read_seq;
