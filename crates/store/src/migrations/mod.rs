//! Schema migrations, written in Rust with sea-query so one definition serves SQLite and
//! PostgreSQL. Each migration is a module `mNNNN_name`; never edit one that has shipped, add a new one.

use sea_orm_migration::prelude::*;

mod m0001_initial;
mod m0002_seed;
mod m0003_telemetry;

/// All migrations, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_initial::Migration),
            Box::new(m0002_seed::Migration),
            Box::new(m0003_telemetry::Migration),
        ]
    }
}
