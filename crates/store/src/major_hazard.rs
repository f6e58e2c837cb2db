//! Major hazard installations (重大危险源, GB 18218-2018; m0008): CRUD within the caller's data
//! scope (through the installation's enterprise), the identification and grade computed by
//! [`anjian_domain::major_hazard_installation::evaluate`] on every write that changes the
//! inventory, the β rule or the exposed population, and the assessment history
//! (`major_hazard_assessments`, one row per (re)computation with its trigger, reason and the
//! previous result). Filing (备案), the three responsible persons (包保责任人), camera links and
//! linked sensors (of the same enterprise) are kept with the installation.

use crate::telemetry::enterprise_id_in_scope;
use crate::{PageOf, Result, Store, StoreError, unique_as_field};
use anjian_domain::auth::ScopeFilter;
use anjian_domain::major_hazard_installation::{
    self as mhi, Evaluation, InventoryInput, Outcome, SubstanceLine,
};
use anjian_domain::page::Page;
use anjian_domain::{FieldErrors, ValidationError};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait, Unchanged,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub use entity::assessment::Model as InstallationAssessment;
pub use entity::installation::Model as Installation;

/// SeaORM entities of the major hazard tables (m0008).
pub mod entity {
    /// `major_hazard_installations`. `substances` is the JSON list of
    /// [`anjian_domain::major_hazard_installation::SubstanceLine`]; `working` the JSON working;
    /// `camera_links` a JSON list of `{name, url}`.
    pub mod installation {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "major_hazard_installations")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub enterprise_id: i64,
            pub code: String,
            pub name: String,
            pub unit_kind: String,
            pub location: Option<String>,
            pub longitude: Option<f64>,
            pub latitude: Option<f64>,
            pub exposed_population: i64,
            pub beta_rule: String,
            #[sea_orm(column_type = "Text")]
            pub substances: String,
            pub s_exact: String,
            pub s: f64,
            pub is_major: bool,
            pub r_exact: Option<String>,
            pub r: Option<f64>,
            pub grade: Option<i16>,
            #[sea_orm(column_type = "Text")]
            pub working: String,
            pub filing_status: String,
            pub filing_date: Option<Date>,
            pub filing_number: Option<String>,
            pub principal_name: Option<String>,
            pub principal_phone: Option<String>,
            pub technical_name: Option<String>,
            pub technical_phone: Option<String>,
            pub operational_name: Option<String>,
            pub operational_phone: Option<String>,
            #[sea_orm(column_type = "Text")]
            pub camera_links: String,
            pub remark: Option<String>,
            pub created_by: Option<i64>,
            pub created_at: DateTimeUtc,
            pub updated_at: DateTimeUtc,
        }
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    }

    /// `major_hazard_installation_sensors`: the sensors linked to an installation.
    pub mod installation_sensor {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "major_hazard_installation_sensors")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub installation_id: i64,
            #[sea_orm(primary_key, auto_increment = false)]
            pub sensor_id: i64,
        }
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    }

    /// `major_hazard_assessments`: one (re)computation of an installation.
    pub mod assessment {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "major_hazard_assessments")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub installation_id: i64,
            pub assessed_at: DateTimeUtc,
            pub assessed_by: Option<i64>,
            pub assessor_name: String,
            pub trigger: String,
            #[sea_orm(column_type = "Text")]
            pub reason: String,
            pub s_exact: String,
            pub s: f64,
            pub is_major: bool,
            pub r_exact: Option<String>,
            pub r: Option<f64>,
            pub grade: Option<i16>,
            pub previous_is_major: Option<bool>,
            pub previous_grade: Option<i16>,
            #[sea_orm(column_type = "Text")]
            pub substances: String,
            pub exposed_population: i64,
            #[sea_orm(column_type = "Text")]
            pub working: String,
        }
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    }
}

use entity::{assessment, installation, installation_sensor};

/// Filing states (备案), dictionary `major_hazard_filing_status`.
pub const FILING_STATUSES: [&str; 3] = ["not_filed", "filed", "cancelled"];
/// Why an assessment was written.
pub const TRIGGERS: [&str; 4] = ["create", "inventory", "population", "manual"];
/// The most camera links one installation keeps.
pub const MAX_CAMERAS: usize = 20;
/// The most sensors one installation links.
pub const MAX_SENSORS: usize = 200;

/// A camera (video) link of an installation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CameraLink {
    /// Label, at most 64 characters.
    pub name: String,
    /// `http(s)://` or `rtsp://` URL, at most 500 characters.
    pub url: String,
}

/// An installation as created or replaced.
#[derive(Debug, Clone)]
pub struct InstallationInput {
    /// Owning enterprise (must be in the caller's scope).
    pub enterprise_id: i64,
    /// Code, unique within the enterprise, at most 40 characters.
    pub code: String,
    /// Name, at most 100 characters.
    pub name: String,
    /// `production` or `storage`.
    pub unit_kind: String,
    /// Location text, at most 200 characters.
    pub location: Option<String>,
    /// WGS 84 longitude, degrees.
    pub longitude: Option<f64>,
    /// WGS 84 latitude, degrees.
    pub latitude: Option<f64>,
    /// Resident population within 500 m of the plant boundary, people (GB 18218-2018 Table 5).
    pub exposed_population: i64,
    /// `max` or `governing_class`.
    pub beta_rule: String,
    /// The substances with their maximum design quantities (tonnes, decimal text).
    pub substances: Vec<SubstanceLine>,
    /// `not_filed`, `filed` or `cancelled`.
    pub filing_status: String,
    /// Filing date (required when filed).
    pub filing_date: Option<NaiveDate>,
    /// Filing number (required when filed), at most 60 characters.
    pub filing_number: Option<String>,
    /// 主要负责人 name (≤ 64) and phone (≤ 20).
    pub principal_name: Option<String>,
    /// Phone of the principal.
    pub principal_phone: Option<String>,
    /// 技术负责人 name.
    pub technical_name: Option<String>,
    /// Phone of the technical person.
    pub technical_phone: Option<String>,
    /// 操作负责人 name.
    pub operational_name: Option<String>,
    /// Phone of the operational person.
    pub operational_phone: Option<String>,
    /// Camera links.
    pub camera_links: Vec<CameraLink>,
    /// Linked sensors (each of the same enterprise).
    pub sensor_ids: Vec<i64>,
    /// Remark, at most 500 characters.
    pub remark: Option<String>,
}

/// Who writes (for the assessment rows).
#[derive(Debug, Clone)]
pub struct Assessor {
    /// User id, if a user.
    pub user_id: Option<i64>,
    /// Display name.
    pub name: String,
}

/// Filters of the installation list; `None` = any.
#[derive(Debug, Clone, Default)]
pub struct InstallationFilter {
    /// Enterprise.
    pub enterprise_id: Option<i64>,
    /// Grade 1..=4.
    pub grade: Option<i16>,
    /// Identified as a major hazard (S ≥ 1) or not.
    pub is_major: Option<bool>,
    /// Filing status.
    pub filing_status: Option<String>,
    /// `production` or `storage`.
    pub unit_kind: Option<String>,
    /// Substring of code, name or location.
    pub keyword: Option<String>,
}

/// An installation with its enterprise's name and linked sensor ids.
#[derive(Debug, Clone, PartialEq)]
pub struct InstallationView {
    /// The stored row.
    pub installation: Installation,
    /// Enterprise name.
    pub enterprise_name: Option<String>,
    /// The substances.
    pub substances: Vec<SubstanceLine>,
    /// Camera links.
    pub camera_links: Vec<CameraLink>,
    /// Linked sensor ids, ascending.
    pub sensor_ids: Vec<i64>,
}

/// A sensor linked to an installation, with its latest reading if any.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkedSensor {
    /// Sensor id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Quantity (`pressure`, `temperature` …).
    pub quantity: String,
    /// Unit.
    pub unit: String,
    /// Latest value.
    pub value: Option<f64>,
    /// Its time, ms since the Unix epoch.
    pub ts: Option<i64>,
}

fn trimmed(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn check_text(f: &mut FieldErrors, field: &str, value: &str, max: usize) {
    if value.trim().is_empty() {
        f.insert(field.into(), "不能为空 / must not be empty".into());
    } else if value.chars().count() > max {
        f.insert(
            field.into(),
            format!("最多 {max} 个字符 / at most {max} characters"),
        );
    }
}

fn check_opt(f: &mut FieldErrors, field: &str, value: &Option<String>, max: usize) {
    if value.as_ref().is_some_and(|v| v.chars().count() > max) {
        f.insert(
            field.into(),
            format!("最多 {max} 个字符 / at most {max} characters"),
        );
    }
}

fn json_text<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

fn scope_cond(scope: &ScopeFilter) -> Condition {
    enterprise_id_in_scope(installation::Column::EnterpriseId, scope)
}

fn inventory_of(p: &InstallationInput) -> InventoryInput {
    InventoryInput {
        unit_kind: p.unit_kind.clone(),
        exposed_population: p.exposed_population,
        beta_rule: p.beta_rule.clone(),
        substances: p.substances.clone(),
    }
}

/// Stored substances of an installation.
pub fn substances_of(text: &str) -> Vec<SubstanceLine> {
    serde_json::from_str(text).unwrap_or_default()
}

fn cameras_of(text: &str) -> Vec<CameraLink> {
    serde_json::from_str(text).unwrap_or_default()
}

impl Store {
    async fn check_installation(
        &self,
        p: &InstallationInput,
        scope: &ScopeFilter,
    ) -> Result<Evaluation> {
        let mut f = match mhi::evaluate(&inventory_of(p)) {
            Ok(_) => FieldErrors::new(),
            Err(f) => f,
        };
        check_text(&mut f, "code", &p.code, 40);
        check_text(&mut f, "name", &p.name, 100);
        check_opt(&mut f, "location", &p.location, 200);
        check_opt(&mut f, "remark", &p.remark, 500);
        check_opt(&mut f, "filingNumber", &p.filing_number, 60);
        for (field, v, max) in [
            ("principalName", &p.principal_name, 64),
            ("principalPhone", &p.principal_phone, 20),
            ("technicalName", &p.technical_name, 64),
            ("technicalPhone", &p.technical_phone, 20),
            ("operationalName", &p.operational_name, 64),
            ("operationalPhone", &p.operational_phone, 20),
        ] {
            check_opt(&mut f, field, v, max);
        }
        if p.longitude.is_some_and(|x| !(-180.0..=180.0).contains(&x)) {
            f.insert(
                "longitude".into(),
                "经度须在 -180 到 180 之间 / must be -180..180".into(),
            );
        }
        if p.latitude.is_some_and(|x| !(-90.0..=90.0).contains(&x)) {
            f.insert(
                "latitude".into(),
                "纬度须在 -90 到 90 之间 / must be -90..90".into(),
            );
        }
        if !FILING_STATUSES.contains(&p.filing_status.as_str()) {
            f.insert(
                "filingStatus".into(),
                format!(
                    "须为以下之一：{0} / must be one of {0}",
                    FILING_STATUSES.join(", ")
                ),
            );
        } else if p.filing_status == "filed" {
            if p.filing_date.is_none() {
                f.insert(
                    "filingDate".into(),
                    "已备案须填写备案日期 / required when filed".into(),
                );
            }
            if trimmed(&p.filing_number).is_none() {
                f.insert(
                    "filingNumber".into(),
                    "已备案须填写备案编号 / required when filed".into(),
                );
            }
        }
        if p.camera_links.len() > MAX_CAMERAS {
            f.insert(
                "cameraLinks".into(),
                format!("最多 {MAX_CAMERAS} 个视频 / at most {MAX_CAMERAS} links"),
            );
        }
        for (i, c) in p.camera_links.iter().enumerate() {
            check_text(&mut f, &format!("cameraLinks[{i}].name"), &c.name, 64);
            let url = c.url.trim();
            if !(url.starts_with("http://")
                || url.starts_with("https://")
                || url.starts_with("rtsp://"))
                || url.chars().count() > 500
                || url.chars().any(char::is_whitespace)
            {
                f.insert(
                    format!("cameraLinks[{i}].url"),
                    "须为 http(s):// 或 rtsp:// 地址（最多 500 字符） / must be an http(s):// or rtsp:// URL (≤ 500 characters)".into(),
                );
            }
        }
        let visible = crate::org::enterprise_visible(&self.db, p.enterprise_id, scope).await?;
        if !visible {
            f.insert(
                "enterpriseId".into(),
                "没有这个企业 / no such enterprise".into(),
            );
        }
        if p.sensor_ids.len() > MAX_SENSORS {
            f.insert(
                "sensorIds".into(),
                format!("最多 {MAX_SENSORS} 个 / at most {MAX_SENSORS} sensors"),
            );
        } else if !p.sensor_ids.is_empty() {
            use crate::entities::sensor;
            let found: Vec<(i64, i64)> = sensor::Entity::find()
                .select_only()
                .column(sensor::Column::Id)
                .column(sensor::Column::EnterpriseId)
                .filter(sensor::Column::Id.is_in(p.sensor_ids.clone()))
                .into_tuple()
                .all(&self.db)
                .await?;
            let owner: HashMap<i64, i64> = found.into_iter().collect();
            for (i, id) in p.sensor_ids.iter().enumerate() {
                match owner.get(id) {
                    None => {
                        f.insert(
                            format!("sensorIds[{i}]"),
                            format!("没有监测点 {id} / no sensor {id}"),
                        );
                    }
                    Some(e) if *e != p.enterprise_id => {
                        f.insert(
                            format!("sensorIds[{i}]"),
                            "监测点不属于该企业 / the sensor belongs to another enterprise".into(),
                        );
                    }
                    _ => {}
                }
            }
        }
        if !f.is_empty() {
            return Err(ValidationError { fields: f }.into());
        }
        mhi::evaluate(&inventory_of(p)).map_err(|fields| ValidationError { fields }.into())
    }

    async fn installation_views<C: ConnectionTrait>(
        &self,
        db: &C,
        rows: Vec<Installation>,
    ) -> Result<Vec<InstallationView>> {
        let names =
            crate::monitoring::enterprise_names_of(self, rows.iter().map(|p| p.enterprise_id))
                .await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut sensors: HashMap<i64, Vec<i64>> = HashMap::new();
        for chunk in ids.chunks(500) {
            let found: Vec<(i64, i64)> = installation_sensor::Entity::find()
                .select_only()
                .column(installation_sensor::Column::InstallationId)
                .column(installation_sensor::Column::SensorId)
                .filter(installation_sensor::Column::InstallationId.is_in(chunk.to_vec()))
                .into_tuple()
                .all(db)
                .await?;
            for (i, s) in found {
                sensors.entry(i).or_default().push(s);
            }
        }
        Ok(rows
            .into_iter()
            .map(|i| {
                let mut sensor_ids = sensors.remove(&i.id).unwrap_or_default();
                sensor_ids.sort_unstable();
                InstallationView {
                    enterprise_name: names.get(&i.enterprise_id).cloned(),
                    substances: substances_of(&i.substances),
                    camera_links: cameras_of(&i.camera_links),
                    sensor_ids,
                    installation: i,
                }
            })
            .collect())
    }

    /// Lists the installations the caller may see, filtered and paged: most severe grade first
    /// (一级 … 四级, then not major), then enterprise and code.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn list_installations(
        &self,
        filter: &InstallationFilter,
        scope: &ScopeFilter,
        page: Page,
    ) -> Result<PageOf<InstallationView>> {
        let mut q = installation::Entity::find().filter(scope_cond(scope));
        if let Some(e) = filter.enterprise_id {
            q = q.filter(installation::Column::EnterpriseId.eq(e));
        }
        if let Some(g) = filter.grade {
            q = q.filter(installation::Column::Grade.eq(g));
        }
        if let Some(m) = filter.is_major {
            q = q.filter(installation::Column::IsMajor.eq(m));
        }
        if let Some(s) = &filter.filing_status {
            q = q.filter(installation::Column::FilingStatus.eq(s.as_str()));
        }
        if let Some(k) = &filter.unit_kind {
            q = q.filter(installation::Column::UnitKind.eq(k.as_str()));
        }
        if let Some(k) = trimmed(&filter.keyword) {
            q = q.filter(
                Condition::any()
                    .add(crate::like_literal(installation::Column::Code, &k, false))
                    .add(crate::like_literal(installation::Column::Name, &k, false))
                    .add(crate::like_literal(
                        installation::Column::Location,
                        &k,
                        false,
                    )),
            );
        }
        let total = q.clone().count(&self.db).await?;
        let rows = q
            .order_by_asc(Expr::cust("CASE WHEN grade IS NULL THEN 9 ELSE grade END"))
            .order_by_asc(installation::Column::EnterpriseId)
            .order_by_asc(installation::Column::Code)
            .offset(page.offset())
            .limit(page.size)
            .all(&self.db)
            .await?;
        Ok(PageOf {
            total,
            rows: self.installation_views(&self.db, rows).await?,
        })
    }

    /// One installation, if the caller's scope includes its enterprise.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Db`].
    pub async fn get_installation(&self, id: i64, scope: &ScopeFilter) -> Result<InstallationView> {
        let row = installation::Entity::find_by_id(id)
            .filter(scope_cond(scope))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.installation_views(&self.db, vec![row])
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    fn installation_active(
        p: &InstallationInput,
        e: &Evaluation,
        now: DateTime<Utc>,
    ) -> installation::ActiveModel {
        installation::ActiveModel {
            enterprise_id: Set(p.enterprise_id),
            code: Set(p.code.trim().to_owned()),
            name: Set(p.name.trim().to_owned()),
            unit_kind: Set(p.unit_kind.trim().to_owned()),
            location: Set(trimmed(&p.location)),
            longitude: Set(p.longitude),
            latitude: Set(p.latitude),
            exposed_population: Set(p.exposed_population),
            beta_rule: Set(p.beta_rule.trim().to_owned()),
            substances: Set(json_text(&e.substances)),
            s_exact: Set(e.s_exact.clone()),
            s: Set(e.s),
            is_major: Set(e.is_major),
            r_exact: Set(e.r_exact.clone()),
            r: Set(e.r),
            grade: Set(e.grade.map(i16::from)),
            working: Set(e.working.to_string()),
            filing_status: Set(p.filing_status.clone()),
            filing_date: Set(p.filing_date),
            filing_number: Set(trimmed(&p.filing_number)),
            principal_name: Set(trimmed(&p.principal_name)),
            principal_phone: Set(trimmed(&p.principal_phone)),
            technical_name: Set(trimmed(&p.technical_name)),
            technical_phone: Set(trimmed(&p.technical_phone)),
            operational_name: Set(trimmed(&p.operational_name)),
            operational_phone: Set(trimmed(&p.operational_phone)),
            camera_links: Set(json_text(
                &p.camera_links
                    .iter()
                    .map(|c| CameraLink {
                        name: c.name.trim().to_owned(),
                        url: c.url.trim().to_owned(),
                    })
                    .collect::<Vec<_>>(),
            )),
            remark: Set(trimmed(&p.remark)),
            updated_at: Set(now),
            ..Default::default()
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn write_assessment<C: ConnectionTrait>(
        db: &C,
        installation_id: i64,
        e: &Evaluation,
        previous: Option<&Installation>,
        trigger: &str,
        reason_prefix: Option<&str>,
        population: i64,
        who: &Assessor,
        now: DateTime<Utc>,
    ) -> Result<InstallationAssessment> {
        let prev = previous.and_then(|p| {
            Outcome::from_stored(
                &p.s_exact,
                p.r_exact.as_deref(),
                p.grade.and_then(|g| u8::try_from(g).ok()),
            )
        });
        let new = Outcome::of(e).ok_or_else(|| {
            StoreError::Conflict("the computed S could not be read back".to_owned())
        })?;
        let mut reason = mhi::change_reason(prev.as_ref(), &new);
        if let Some(p) = reason_prefix {
            reason = format!("{p}；{reason}");
        }
        let row = assessment::ActiveModel {
            installation_id: Set(installation_id),
            assessed_at: Set(now),
            assessed_by: Set(who.user_id),
            assessor_name: Set(who.name.chars().take(64).collect()),
            trigger: Set(trigger.to_owned()),
            reason: Set(reason),
            s_exact: Set(e.s_exact.clone()),
            s: Set(e.s),
            is_major: Set(e.is_major),
            r_exact: Set(e.r_exact.clone()),
            r: Set(e.r),
            grade: Set(e.grade.map(i16::from)),
            previous_is_major: Set(previous.map(|p| p.is_major)),
            previous_grade: Set(previous.and_then(|p| p.grade)),
            substances: Set(json_text(&e.substances)),
            exposed_population: Set(population),
            working: Set(e.working.to_string()),
            ..Default::default()
        };
        Ok(row.insert(db).await?)
    }

    async fn set_sensors<C: ConnectionTrait>(db: &C, id: i64, sensor_ids: &[i64]) -> Result<()> {
        installation_sensor::Entity::delete_many()
            .filter(installation_sensor::Column::InstallationId.eq(id))
            .exec(db)
            .await?;
        let mut ids = sensor_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        if !ids.is_empty() {
            installation_sensor::Entity::insert_many(ids.into_iter().map(|s| {
                installation_sensor::ActiveModel {
                    installation_id: Set(id),
                    sensor_id: Set(s),
                }
            }))
            .exec(db)
            .await?;
        }
        Ok(())
    }

    /// Creates an installation, computes its identification and grade and writes the first
    /// assessment (trigger `create`).
    ///
    /// # Errors
    /// Field errors (see [`mhi::evaluate`] for the inventory; `code` taken in the enterprise,
    /// `enterpriseId` outside the scope, `sensorIds[i]` of another enterprise, `cameraLinks[i].url`,
    /// `filingDate` / `filingNumber` when filed, lengths); [`StoreError::Db`].
    pub async fn create_installation(
        &self,
        p: InstallationInput,
        who: &Assessor,
        scope: &ScopeFilter,
        now: DateTime<Utc>,
    ) -> Result<InstallationView> {
        let e = self.check_installation(&p, scope).await?;
        let txn = self.db.begin().await?;
        let mut a = Self::installation_active(&p, &e, now);
        a.created_by = Set(who.user_id);
        a.created_at = Set(now);
        let row = a.insert(&txn).await.map_err(|err| {
            unique_as_field(
                err,
                "code",
                "该企业已有此编号的重大危险源 / the enterprise already has an installation with this code",
            )
        })?;
        Self::set_sensors(&txn, row.id, &p.sensor_ids).await?;
        Self::write_assessment(
            &txn,
            row.id,
            &e,
            None,
            "create",
            None,
            p.exposed_population,
            who,
            now,
        )
        .await?;
        txn.commit().await?;
        self.get_installation(row.id, scope).await
    }

    /// Replaces an installation. When the inventory (substances or β rule) or the exposed
    /// population changes, the result is recomputed and an assessment written (trigger
    /// `inventory` or `population`) with the reason and the previous result. Returns the view and
    /// the assessment written, if any.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; field errors as for create.
    pub async fn update_installation(
        &self,
        id: i64,
        p: InstallationInput,
        who: &Assessor,
        scope: &ScopeFilter,
        now: DateTime<Utc>,
    ) -> Result<(InstallationView, Option<InstallationAssessment>)> {
        let current = self.get_installation(id, scope).await?.installation;
        let e = self.check_installation(&p, scope).await?;
        let inventory_changed = json_text(&e.substances) != current.substances
            || p.beta_rule.trim() != current.beta_rule;
        let population_changed = p.exposed_population != current.exposed_population;
        let txn = self.db.begin().await?;
        let mut a = Self::installation_active(&p, &e, now);
        a.id = Unchanged(id);
        a.update(&txn).await.map_err(|err| {
            unique_as_field(
                err,
                "code",
                "该企业已有此编号的重大危险源 / the enterprise already has an installation with this code",
            )
        })?;
        Self::set_sensors(&txn, id, &p.sensor_ids).await?;
        let written = if inventory_changed || population_changed {
            let trigger = if inventory_changed {
                "inventory"
            } else {
                "population"
            };
            let prefix = match (inventory_changed, population_changed) {
                (true, true) => format!(
                    "物料变更，暴露人数 {} → {}",
                    current.exposed_population, p.exposed_population
                ),
                (true, false) => "物料变更".to_owned(),
                _ => format!(
                    "暴露人数 {} → {}",
                    current.exposed_population, p.exposed_population
                ),
            };
            Some(
                Self::write_assessment(
                    &txn,
                    id,
                    &e,
                    Some(&current),
                    trigger,
                    Some(&prefix),
                    p.exposed_population,
                    who,
                    now,
                )
                .await?,
            )
        } else {
            None
        };
        txn.commit().await?;
        Ok((self.get_installation(id, scope).await?, written))
    }

    /// Recomputes an installation from its stored inputs (trigger `manual`, e.g. after the
    /// standards data changed) and writes an assessment with `note` before the reason.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; field errors when the stored inputs no longer validate.
    pub async fn reassess_installation(
        &self,
        id: i64,
        note: Option<&str>,
        who: &Assessor,
        scope: &ScopeFilter,
        now: DateTime<Utc>,
    ) -> Result<InstallationAssessment> {
        let current = self.get_installation(id, scope).await?.installation;
        let e = mhi::evaluate(&InventoryInput {
            unit_kind: current.unit_kind.clone(),
            exposed_population: current.exposed_population,
            beta_rule: current.beta_rule.clone(),
            substances: substances_of(&current.substances),
        })
        .map_err(|fields| ValidationError { fields })?;
        let txn = self.db.begin().await?;
        installation::ActiveModel {
            id: Unchanged(id),
            s_exact: Set(e.s_exact.clone()),
            s: Set(e.s),
            is_major: Set(e.is_major),
            r_exact: Set(e.r_exact.clone()),
            r: Set(e.r),
            grade: Set(e.grade.map(i16::from)),
            working: Set(e.working.to_string()),
            updated_at: Set(now),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        let prefix = match note {
            Some(n) => format!("手动重新辨识：{}", n.chars().take(200).collect::<String>()),
            None => "手动重新辨识".to_owned(),
        };
        let row = Self::write_assessment(
            &txn,
            id,
            &e,
            Some(&current),
            "manual",
            Some(&prefix),
            current.exposed_population,
            who,
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(row)
    }

    /// Deletes an installation with its assessments and sensor links. Returns its enterprise.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Db`].
    pub async fn delete_installation(&self, id: i64, scope: &ScopeFilter) -> Result<i64> {
        let current = self.get_installation(id, scope).await?.installation;
        let txn = self.db.begin().await?;
        installation_sensor::Entity::delete_many()
            .filter(installation_sensor::Column::InstallationId.eq(id))
            .exec(&txn)
            .await?;
        assessment::Entity::delete_many()
            .filter(assessment::Column::InstallationId.eq(id))
            .exec(&txn)
            .await?;
        installation::Entity::delete_by_id(id).exec(&txn).await?;
        txn.commit().await?;
        Ok(current.enterprise_id)
    }

    /// The assessment history of an installation, newest first.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Db`].
    pub async fn installation_assessments(
        &self,
        id: i64,
        scope: &ScopeFilter,
    ) -> Result<Vec<InstallationAssessment>> {
        self.get_installation(id, scope).await?;
        Ok(assessment::Entity::find()
            .filter(assessment::Column::InstallationId.eq(id))
            .order_by_desc(assessment::Column::AssessedAt)
            .order_by_desc(assessment::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// The sensors linked to an installation with their latest readings.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Db`].
    pub async fn installation_sensors(
        &self,
        id: i64,
        scope: &ScopeFilter,
    ) -> Result<Vec<LinkedSensor>> {
        use crate::entities::{sensor, sensor_latest};
        let v = self.get_installation(id, scope).await?;
        if v.sensor_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sensors = sensor::Entity::find()
            .filter(sensor::Column::Id.is_in(v.sensor_ids.clone()))
            .order_by_asc(sensor::Column::Code)
            .all(&self.db)
            .await?;
        let latest: HashMap<i64, (i64, f64)> = sensor_latest::Entity::find()
            .filter(sensor_latest::Column::SensorId.is_in(v.sensor_ids.clone()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|l| (l.sensor_id, (l.ts, l.value)))
            .collect();
        Ok(sensors
            .into_iter()
            .map(|s| {
                let l = latest.get(&s.id);
                LinkedSensor {
                    id: s.id,
                    code: s.code,
                    name: s.name,
                    quantity: s.quantity,
                    unit: s.unit,
                    value: l.map(|x| x.1),
                    ts: l.map(|x| x.0),
                }
            })
            .collect())
    }

    /// Per enterprise with at least one installation: the most severe grade of its major hazard
    /// installations (1 = 一级 … 4 = 四级; `None` when none is major) and how many are major.
    /// `enterprise_ids` limits the enterprises (`None` = all). Unscoped: callers scope the ids.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn installation_grades(
        &self,
        enterprise_ids: Option<&[i64]>,
    ) -> Result<Vec<(i64, Option<u8>, u64)>> {
        let base = || {
            installation::Entity::find()
                .select_only()
                .column(installation::Column::EnterpriseId)
                .column_as(Expr::cust("MIN(grade)"), "g")
                .column_as(Expr::cust("SUM(CASE WHEN is_major THEN 1 ELSE 0 END)"), "n")
                .group_by(installation::Column::EnterpriseId)
        };
        let mut rows: Vec<(i64, Option<i16>, Option<i64>)> = Vec::new();
        match enterprise_ids {
            None => rows = base().into_tuple().all(&self.db).await?,
            Some(ids) => {
                for chunk in ids.chunks(500) {
                    rows.extend(
                        base()
                            .filter(installation::Column::EnterpriseId.is_in(chunk.to_vec()))
                            .into_tuple::<(i64, Option<i16>, Option<i64>)>()
                            .all(&self.db)
                            .await?,
                    );
                }
            }
        }
        rows.sort_by_key(|r| r.0);
        Ok(rows
            .into_iter()
            .map(|(e, g, n)| {
                (
                    e,
                    g.and_then(|g| u8::try_from(g).ok()),
                    n.unwrap_or(0).max(0) as u64,
                )
            })
            .collect())
    }
}

/// Templates of the synthetic installations: (code, name, kind, population, substances).
type SynTemplate = (
    &'static str,
    &'static str,
    &'static str,
    i64,
    &'static [(&'static str, &'static [&'static str], &'static str)],
);

const SYNTHETIC: [SynTemplate; 6] = [
    ("MH-S1", "液氯库", "storage", 260, &[("氯", &[], "32")]),
    ("MH-S2", "液氨罐区", "storage", 500, &[("液氨", &[], "150")]),
    (
        "MH-S3",
        "液化石油气球罐区",
        "storage",
        500,
        &[("液化石油气", &["W2"], "2000")],
    ),
    (
        "MH-S4",
        "芳烃罐区",
        "storage",
        60,
        &[("苯", &["W5.3"], "120"), ("甲苯", &["W5.3"], "800")],
    ),
    (
        "MH-S5",
        "反应单元",
        "production",
        150,
        &[("氢", &["W2"], "6"), ("一氧化碳", &[], "30")],
    ),
    (
        "MH-S6",
        "甲醇罐区",
        "storage",
        80,
        &[("甲醇", &["W5.3"], "400")],
    ),
];

fn spread(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Store {
    /// Benchmarks only (`anjian-loadgen situation`): gives every hazardous-chemicals enterprise
    /// with an id in `enterprise_ids` (inclusive range) one to three installations from six fixed
    /// templates (一级 … 四级 and one below S = 1), each with its `create` assessment, in large
    /// multi-row statements. Deterministic. Returns the number of installations written.
    ///
    /// # Errors
    /// Database errors (e.g. run twice: the codes are unique per enterprise).
    pub async fn generate_synthetic_installations(
        &self,
        enterprise_ids: (i64, i64),
        now: DateTime<Utc>,
    ) -> Result<u64> {
        use crate::entities::enterprise;
        use sea_orm::Value;
        let mut evaluated = Vec::with_capacity(SYNTHETIC.len());
        for (code, _, kind, population, subs) in SYNTHETIC {
            let e = mhi::evaluate(&InventoryInput {
                unit_kind: kind.into(),
                exposed_population: population,
                beta_rule: "max".into(),
                substances: subs
                    .iter()
                    .map(|(n, c, q)| SubstanceLine {
                        name: Some((*n).into()),
                        hazard_classes: c.iter().map(|s| (*s).to_owned()).collect(),
                        quantity_tonnes: (*q).into(),
                        ..Default::default()
                    })
                    .collect(),
            })
            .map_err(|fields| ValidationError { fields })?;
            let reason = mhi::change_reason(None, &Outcome::of(&e).ok_or(StoreError::NotFound)?);
            evaluated.push((code, e, reason));
        }
        let ids: Vec<i64> = enterprise::Entity::find()
            .select_only()
            .column(enterprise::Column::Id)
            .filter(enterprise::Column::Id.between(enterprise_ids.0, enterprise_ids.1))
            .filter(enterprise::Column::SupervisionCategory.eq("hazardous_chemicals"))
            .order_by_asc(enterprise::Column::Id)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut rows: Vec<(i64, usize)> = Vec::new();
        for id in ids {
            let h = spread(id as u64);
            let n = 1 + (h % 3) as usize;
            for j in 0..n {
                rows.push((id, ((h >> 8) as usize + j) % SYNTHETIC.len()));
            }
        }
        let txn = self.db.begin().await?;
        let (written, _) = crate::telemetry::insert_chunked(
            &txn,
            "INSERT INTO major_hazard_installations (enterprise_id, code, name, unit_kind, \
             exposed_population, beta_rule, substances, s_exact, s, is_major, r_exact, r, grade, \
             working, filing_status, camera_links, created_at, updated_at)",
            18,
            "",
            &rows,
            false,
            |(id, t), v: &mut Vec<Value>| {
                let (code, name, kind, population, _) = SYNTHETIC[*t];
                let e = &evaluated[*t].1;
                v.push((*id).into());
                v.push(code.into());
                v.push(name.into());
                v.push(kind.into());
                v.push(population.into());
                v.push("max".into());
                v.push(json_text(&e.substances).into());
                v.push(e.s_exact.clone().into());
                v.push(e.s.into());
                v.push(e.is_major.into());
                v.push(e.r_exact.clone().into());
                v.push(e.r.into());
                v.push(e.grade.map(i16::from).into());
                v.push(e.working.to_string().into());
                v.push(if e.is_major { "filed" } else { "not_filed" }.into());
                v.push("[]".into());
                v.push(now.into());
                v.push(now.into());
            },
        )
        .await?;
        for (code, _, reason) in &evaluated {
            let backend = txn.get_database_backend();
            let p = |i: usize| match backend {
                sea_orm::DbBackend::Postgres => format!("${i}"),
                _ => "?".to_owned(),
            };
            let sql = format!(
                "INSERT INTO major_hazard_assessments (installation_id, assessed_at, assessor_name, \
                 trigger, reason, s_exact, s, is_major, r_exact, r, grade, substances, \
                 exposed_population, working) SELECT id, created_at, {}, 'create', {}, s_exact, s, \
                 is_major, r_exact, r, grade, substances, exposed_population, working FROM \
                 major_hazard_installations WHERE code = {} AND enterprise_id BETWEEN {} AND {}",
                p(1),
                p(2),
                p(3),
                p(4),
                p(5)
            );
            txn.execute_raw(sea_orm::Statement::from_sql_and_values(
                backend,
                sql,
                [
                    Value::from("合成数据"),
                    Value::from(reason.clone()),
                    Value::from(*code),
                    Value::from(enterprise_ids.0),
                    Value::from(enterprise_ids.1),
                ],
            ))
            .await?;
        }
        txn.commit().await?;
        Ok(written)
    }
}
