-- How far each participant has read each chat: a seq of the chat, never moving back and
-- never past the chat's last_seq. A chat's unread count for a user is its last_seq minus
-- this (no row: nothing read), so nothing per reader is written when a message is stored.
CREATE TABLE chat_reads (
    chat_kind     VARCHAR(16) NOT NULL,
    chat_id       BIGINT      NOT NULL,
    user_id       BIGINT      NOT NULL,
    last_read_seq BIGINT      NOT NULL,
    PRIMARY KEY (chat_kind, chat_id, user_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE INDEX ix_chat_reads_user ON chat_reads (user_id, chat_kind, chat_id);
