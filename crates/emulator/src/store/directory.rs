//! Groups, their members, and a pool's user list (ListUsers). A membership row
//! names the user by internal username; deleting the user or the group deletes it.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, StoreResult, decode, encode, unique_violation};
use crate::model::{Group, User};

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS groups (
    pool_id TEXT NOT NULL, name TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (pool_id, name));
CREATE TABLE IF NOT EXISTS group_members (
    pool_id TEXT NOT NULL, group_name TEXT NOT NULL, username TEXT NOT NULL,
    PRIMARY KEY (pool_id, group_name, username));
CREATE INDEX IF NOT EXISTS group_members_by_user ON group_members (pool_id, username);
";

impl Store {
    /// The JSON records a query's first column holds, in the query's order.
    fn records<T: serde::de::DeserializeOwned>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> StoreResult<Vec<T>> {
        let db = self.db();
        let mut statement = db.prepare_cached(sql)?;
        let texts = statement
            .query_map(params, |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        texts
            .into_iter()
            .map(|t| serde_json::from_str(&t).map_err(StoreError::from))
            .collect()
    }

    /// Inserts a new group; [`StoreError::Exists`] when the name is taken.
    pub fn insert_group(&self, group: &Group) -> StoreResult<()> {
        self.db()
            .prepare_cached("INSERT INTO groups (pool_id, name, data) VALUES (?1, ?2, ?3)")?
            .execute(params![group.pool_id, group.name, encode(group)?])
            .map_err(unique_violation)?;
        Ok(())
    }

    /// Rewrites an existing group.
    pub fn update_group(&self, group: &Group) -> StoreResult<()> {
        self.db()
            .prepare_cached("UPDATE groups SET data = ?3 WHERE pool_id = ?1 AND name = ?2")?
            .execute(params![group.pool_id, group.name, encode(group)?])?;
        Ok(())
    }

    /// A group by name.
    pub fn group(&self, pool_id: &str, name: &str) -> StoreResult<Option<Group>> {
        let text = self
            .db()
            .prepare_cached("SELECT data FROM groups WHERE pool_id = ?1 AND name = ?2")?
            .query_row(params![pool_id, name], |r| r.get(0))
            .optional()?;
        decode(text)
    }

    /// Every group of a pool, by name.
    pub fn groups(&self, pool_id: &str) -> StoreResult<Vec<Group>> {
        self.records(
            "SELECT data FROM groups WHERE pool_id = ?1 ORDER BY name",
            [pool_id],
        )
    }

    /// Deletes a group and its memberships.
    pub fn delete_group(&self, pool_id: &str, name: &str) -> StoreResult<()> {
        let mut db = self.db();
        let tx = db.transaction()?;
        tx.prepare_cached("DELETE FROM groups WHERE pool_id = ?1 AND name = ?2")?
            .execute(params![pool_id, name])?;
        tx.prepare_cached("DELETE FROM group_members WHERE pool_id = ?1 AND group_name = ?2")?
            .execute(params![pool_id, name])?;
        tx.commit()?;
        Ok(())
    }

    /// Puts a user in a group (a no-op when already a member, as in Cognito).
    pub fn add_member(&self, pool_id: &str, group: &str, username: &str) -> StoreResult<()> {
        self.db().prepare_cached("INSERT OR IGNORE INTO group_members (pool_id, group_name, username) VALUES (?1, ?2, ?3)")?
            .execute(params![pool_id, group, username],
        )?;
        Ok(())
    }

    /// Takes a user out of a group.
    pub fn remove_member(&self, pool_id: &str, group: &str, username: &str) -> StoreResult<()> {
        self.db().prepare_cached("DELETE FROM group_members WHERE pool_id = ?1 AND group_name = ?2 AND username = ?3")?
            .execute(params![pool_id, group, username],
        )?;
        Ok(())
    }

    /// Takes a user out of every group (the user is being deleted).
    pub(super) fn remove_memberships(
        tx: &rusqlite::Transaction<'_>,
        pool_id: &str,
        username: &str,
    ) -> StoreResult<()> {
        tx.prepare_cached("DELETE FROM group_members WHERE pool_id = ?1 AND username = ?2")?
            .execute(params![pool_id, username])?;
        Ok(())
    }

    /// The groups a user is in, by name.
    pub fn groups_of(&self, pool_id: &str, username: &str) -> StoreResult<Vec<Group>> {
        self.records(
            "SELECT g.data FROM group_members m JOIN groups g
               ON g.pool_id = m.pool_id AND g.name = m.group_name
             WHERE m.pool_id = ?1 AND m.username = ?2 ORDER BY g.name",
            params![pool_id, username],
        )
    }

    /// The members of a group, by username.
    pub fn members(&self, pool_id: &str, group: &str) -> StoreResult<Vec<User>> {
        self.records(
            "SELECT u.data FROM group_members m JOIN users u
               ON u.pool_id = m.pool_id AND u.username = m.username
             WHERE m.pool_id = ?1 AND m.group_name = ?2 ORDER BY u.username",
            params![pool_id, group],
        )
    }

    /// Every user of a pool, by username.
    pub fn users(&self, pool_id: &str) -> StoreResult<Vec<User>> {
        self.records(
            "SELECT data FROM users WHERE pool_id = ?1 ORDER BY username",
            [pool_id],
        )
    }
}
