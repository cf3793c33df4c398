-- Every commit that stores a message moves its chat's row: last_seq, message_count and
-- last_activity_at. A service chat's last_activity_at was also a column of two of its
-- indexes, so each of those commits rewrote two index entries as well. Nothing reads
-- those indexes in that order: a user's service chats are those with client_id = ? OR
-- master_id = ?, which MySQL and MariaDB find by merging two index lookups and then sort
-- (a filesort, whatever the indexes hold). client_id leads uq_service_chats_pair already;
-- master_id keeps an index of its own. (Support chats keep theirs: an agent's chats are
-- listed by support_id alone, in last_activity_at order, straight from the index.)
DROP INDEX ix_service_chats_client ON service_chats;
DROP INDEX ix_service_chats_master ON service_chats;
CREATE INDEX ix_service_chats_master ON service_chats (master_id);
