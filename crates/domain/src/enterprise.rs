//! Enterprise input and its validation, shared by the REST API and the spreadsheet import so both
//! report the same field errors.

use crate::industry::normalise_industry_code;
use crate::org::{EnterpriseScale, EnterpriseStatus, SupervisionCategory};
use crate::uscc::Uscc;
use crate::validation::{Checker, ValidationError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An enterprise as a client sends it (create or full update). Enumerations are codes (or, from a
/// spreadsheet, Chinese labels); see the dictionaries `supervision_category`, `enterprise_scale`,
/// `enterprise_status`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnterpriseInput {
    /// Registered name, 1–200 characters.
    pub name: String,
    /// Unified social credit code, 18 characters with a valid GB 32100 check character.
    pub uscc: String,
    /// Registered or operating address, 1–300 characters.
    pub address: String,
    /// WGS-84 longitude in degrees, −180..=180; give both coordinates or neither.
    pub longitude: Option<f64>,
    /// WGS-84 latitude in degrees, −90..=90.
    pub latitude: Option<f64>,
    /// GB/T 4754-2017 industry code, e.g. `C2614`.
    pub industry_code: String,
    /// Supervision category code, e.g. `hazardous_chemicals`.
    pub supervision_category: String,
    /// Scale code: `large`, `medium`, `small`, `micro`.
    pub scale: String,
    /// Number of employees, 0..=1,000,000.
    pub employee_count: i64,
    /// Principal person in charge (主要负责人).
    pub principal_name: String,
    /// Principal's phone.
    pub principal_phone: Option<String>,
    /// Safety manager (安全管理人员).
    pub safety_manager_name: Option<String>,
    /// Safety manager's phone.
    pub safety_manager_phone: Option<String>,
    /// Contact phone of the enterprise.
    pub contact_phone: Option<String>,
    /// Supervising department id.
    pub department_id: Option<i64>,
    /// Region id (district, street or grid).
    pub region_id: i64,
    /// Status code; `operating` when omitted.
    pub status: Option<String>,
    /// Free text, up to 500 characters.
    pub remark: Option<String>,
}

/// A validated enterprise, ready to store. Foreign keys (region, department) are checked by the
/// store, which reports a missing one as a field error too.
#[derive(Debug, Clone, PartialEq)]
pub struct EnterpriseDraft {
    /// See [`EnterpriseInput`].
    pub name: String,
    /// Validated code.
    pub uscc: Uscc,
    /// See [`EnterpriseInput`].
    pub address: String,
    /// WGS-84 longitude, degrees.
    pub longitude: Option<f64>,
    /// WGS-84 latitude, degrees.
    pub latitude: Option<f64>,
    /// Normalised GB/T 4754 code.
    pub industry_code: String,
    /// Category.
    pub supervision_category: SupervisionCategory,
    /// Scale.
    pub scale: EnterpriseScale,
    /// Employees.
    pub employee_count: i32,
    /// See [`EnterpriseInput`].
    pub principal_name: String,
    /// See [`EnterpriseInput`].
    pub principal_phone: Option<String>,
    /// See [`EnterpriseInput`].
    pub safety_manager_name: Option<String>,
    /// See [`EnterpriseInput`].
    pub safety_manager_phone: Option<String>,
    /// See [`EnterpriseInput`].
    pub contact_phone: Option<String>,
    /// See [`EnterpriseInput`].
    pub department_id: Option<i64>,
    /// See [`EnterpriseInput`].
    pub region_id: i64,
    /// Status.
    pub status: EnterpriseStatus,
    /// See [`EnterpriseInput`].
    pub remark: Option<String>,
}

fn blank_to_none(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn check_phone(c: &mut Checker, field: &str, value: &Option<String>) {
    if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty())
        && (v.chars().count() > 30
            || !v
                .chars()
                .all(|ch| ch.is_ascii_digit() || "+- ()".contains(ch)))
    {
        c.add(
            field,
            "must be a phone number (digits, +, -, spaces), at most 30 characters",
        );
    }
}

impl EnterpriseInput {
    /// Validates every field and returns the draft, or every field's error at once.
    ///
    /// # Errors
    /// [`ValidationError`] keyed by the camelCase field name (`uscc`, `industryCode`, ...).
    pub fn validate(&self) -> Result<EnterpriseDraft, ValidationError> {
        let mut c = Checker::new();
        c.required_text("name", &self.name, 200);
        c.required_text("address", &self.address, 300);
        c.required_text("principalName", &self.principal_name, 50);
        c.optional_text("safetyManagerName", self.safety_manager_name.as_deref(), 50);
        c.optional_text("remark", self.remark.as_deref(), 500);
        check_phone(&mut c, "principalPhone", &self.principal_phone);
        check_phone(&mut c, "safetyManagerPhone", &self.safety_manager_phone);
        check_phone(&mut c, "contactPhone", &self.contact_phone);
        let uscc = c.check("uscc", Uscc::parse(&self.uscc));
        let industry = c.check("industryCode", normalise_industry_code(&self.industry_code));
        let category = SupervisionCategory::parse(&self.supervision_category);
        if category.is_none() {
            c.add("supervisionCategory", SupervisionCategory::expected());
        }
        let scale = EnterpriseScale::parse(&self.scale);
        if scale.is_none() {
            c.add("scale", EnterpriseScale::expected());
        }
        let status = match self
            .status
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Some(EnterpriseStatus::Operating),
            Some(s) => EnterpriseStatus::parse(s),
        };
        if status.is_none() {
            c.add("status", EnterpriseStatus::expected());
        }
        if !(0..=1_000_000).contains(&self.employee_count) {
            c.add("employeeCount", "must be between 0 and 1000000");
        }
        match (self.longitude, self.latitude) {
            (Some(lon), Some(lat)) => {
                if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
                    c.add(
                        "longitude",
                        "must be a WGS-84 longitude between -180 and 180",
                    );
                }
                if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
                    c.add("latitude", "must be a WGS-84 latitude between -90 and 90");
                }
            }
            (None, None) => {}
            (Some(_), None) => c.add("latitude", "is required when longitude is given"),
            (None, Some(_)) => c.add("longitude", "is required when latitude is given"),
        }
        if self.region_id <= 0 {
            c.add("regionId", "must be the id of a region");
        }
        if self.department_id.is_some_and(|d| d <= 0) {
            c.add("departmentId", "must be a department id");
        }
        c.finish()?;
        // Every Option below is Some: finish() returned early otherwise.
        let (
            Some(uscc),
            Some(industry_code),
            Some(supervision_category),
            Some(scale),
            Some(status),
        ) = (uscc, industry, category, scale, status)
        else {
            return Err(ValidationError::field("uscc", "invalid"));
        };
        Ok(EnterpriseDraft {
            name: self.name.trim().to_owned(),
            uscc,
            address: self.address.trim().to_owned(),
            longitude: self.longitude,
            latitude: self.latitude,
            industry_code,
            supervision_category,
            scale,
            employee_count: self.employee_count as i32,
            principal_name: self.principal_name.trim().to_owned(),
            principal_phone: blank_to_none(&self.principal_phone),
            safety_manager_name: blank_to_none(&self.safety_manager_name),
            safety_manager_phone: blank_to_none(&self.safety_manager_phone),
            contact_phone: blank_to_none(&self.contact_phone),
            department_id: self.department_id,
            region_id: self.region_id,
            status,
            remark: blank_to_none(&self.remark),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn good() -> EnterpriseInput {
        EnterpriseInput {
            name: "示例化工有限公司".into(),
            uscc: "91110000600037341L".into(),
            address: "示例路 1 号".into(),
            longitude: Some(116.4),
            latitude: Some(39.9),
            industry_code: "2614".into(),
            supervision_category: "hazardous_chemicals".into(),
            scale: "中型".into(),
            employee_count: 120,
            principal_name: "张三".into(),
            principal_phone: Some("010-12345678".into()),
            region_id: 1,
            ..Default::default()
        }
    }

    #[test]
    fn good_input_normalises() {
        let d = good().validate().unwrap();
        assert_eq!(d.industry_code, "C2614");
        assert_eq!(d.scale, EnterpriseScale::Medium);
        assert_eq!(d.status, EnterpriseStatus::Operating);
    }

    #[test]
    fn every_bad_field_is_reported() {
        let mut i = good();
        i.uscc = "91110000600037341N".into();
        i.name = " ".into();
        i.scale = "huge".into();
        i.longitude = Some(181.0);
        i.employee_count = -1;
        i.contact_phone = Some("call me".into());
        let e = i.validate().unwrap_err();
        let keys: Vec<_> = e.fields.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "contactPhone",
                "employeeCount",
                "longitude",
                "name",
                "scale",
                "uscc"
            ]
        );
        assert!(e.fields["uscc"].contains("check character"));
    }

    #[test]
    fn coordinate_edges() {
        for (lon, lat, ok) in [
            (180.0, 90.0, true),
            (-180.0, -90.0, true),
            (180.0001, 0.0, false),
            (0.0, -90.0001, false),
        ] {
            let mut i = good();
            i.longitude = Some(lon);
            i.latitude = Some(lat);
            assert_eq!(i.validate().is_ok(), ok, "{lon},{lat}");
        }
        let mut i = good();
        i.latitude = None;
        assert!(i.validate().unwrap_err().fields.contains_key("latitude"));
        i.longitude = Some(f64::NAN);
        i.latitude = Some(0.0);
        assert!(i.validate().unwrap_err().fields.contains_key("longitude"));
    }

    #[test]
    fn employee_count_edges() {
        for (n, ok) in [
            (0, true),
            (1_000_000, true),
            (1_000_001, false),
            (-1, false),
        ] {
            let mut i = good();
            i.employee_count = n;
            assert_eq!(i.validate().is_ok(), ok, "{n}");
        }
    }
}
