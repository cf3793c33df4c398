-- MySQL is the source of truth. Every statement here must run on MySQL 8, MariaDB 10.11
-- and H2 in MySQL mode (standalone), so it sticks to plain DDL with inline keys.
-- client_message_id compares byte for byte: "abc" and "ABC" are two different messages.

CREATE TABLE service_chats (
    id               BIGINT      NOT NULL AUTO_INCREMENT,
    client_id        BIGINT      NOT NULL,
    master_id        BIGINT      NOT NULL,
    last_seq         BIGINT      NOT NULL DEFAULT 0,
    created_at       DATETIME(6) NOT NULL,
    last_activity_at DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_service_chats_pair UNIQUE (client_id, master_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE INDEX ix_service_chats_client ON service_chats (client_id, last_activity_at);
CREATE INDEX ix_service_chats_master ON service_chats (master_id, last_activity_at);

CREATE TABLE support_chats (
    id               BIGINT      NOT NULL AUTO_INCREMENT,
    client_id        BIGINT      NOT NULL,
    support_id       BIGINT      NULL,
    status           VARCHAR(16) NOT NULL,
    last_seq         BIGINT      NOT NULL DEFAULT 0,
    created_at       DATETIME(6) NOT NULL,
    last_activity_at DATETIME(6) NOT NULL,
    PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE INDEX ix_support_chats_client ON support_chats (client_id, last_activity_at);
CREATE INDEX ix_support_chats_support ON support_chats (support_id, last_activity_at);
CREATE INDEX ix_support_chats_status ON support_chats (status, created_at);

CREATE TABLE chat_messages (
    id                BIGINT        NOT NULL AUTO_INCREMENT,
    chat_kind         VARCHAR(16)   NOT NULL,
    chat_id           BIGINT        NOT NULL,
    seq               BIGINT        NOT NULL,
    sender_id         BIGINT        NOT NULL,
    content           VARCHAR(8000) NOT NULL,
    client_message_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    created_at        DATETIME(6)   NOT NULL,
    origin            VARCHAR(64)   NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_chat_messages_seq UNIQUE (chat_kind, chat_id, seq),
    CONSTRAINT uq_chat_messages_client_id UNIQUE (chat_kind, chat_id, sender_id, client_message_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE INDEX ix_chat_messages_history ON chat_messages (chat_kind, chat_id, id);
