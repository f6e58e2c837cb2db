//! Schema migrations, written in Rust with sea-query so one definition serves SQLite and
//! PostgreSQL. Each migration is a module `mNNNN_name`; never edit one that has shipped, add a new one.

use sea_orm_migration::prelude::*;

mod m0001_initial;
mod m0002_seed;
mod m0003_telemetry;
pub mod m0004_dual_prevention_base;
mod m0005_risk;
mod m0006_hidden_danger;
mod m0007_inspection;
pub mod m0008_situation;
mod seed;

/// All migrations, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_initial::Migration),
            Box::new(m0002_seed::Migration),
            Box::new(m0003_telemetry::Migration),
            Box::new(m0004_dual_prevention_base::Migration),
            Box::new(m0005_risk::Migration),
            Box::new(m0006_hidden_danger::Migration),
            Box::new(m0007_inspection::Migration),
            Box::new(m0008_situation::Migration),
        ]
    }
}
