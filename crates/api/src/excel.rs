//! Spreadsheets. Enterprises: the import template, parsing an uploaded xlsx into validated rows with
//! a per-row error report, and export of a list as xlsx or as CSV with a UTF-8 BOM (so that Excel
//! on Chinese Windows does not read it as GBK). Other registers (devices, sensors) use the generic
//! sheets of [`Col`]: [`read_sheet`], [`write_sheet`], [`write_csv`].

use anjian_domain::enterprise::{EnterpriseDraft, EnterpriseInput};
use anjian_domain::org::{EnterpriseScale, EnterpriseStatus, SupervisionCategory};
use anjian_store::{Department, Enterprise, Region};
use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::Serialize;
use std::collections::HashMap;
use std::io::Cursor;
use utoipa::ToSchema;

/// Largest accepted upload, bytes (10 MiB).
pub const IMPORT_LIMIT: usize = 10 * 1024 * 1024;
/// Most data rows one import may hold.
pub const IMPORT_MAX_ROWS: usize = 20_000;

/// Columns of the template, import and export: (header, API field name, required, width).
pub const COLUMNS: [(&str, &str, bool, f64); 18] = [
    ("企业名称", "name", true, 30.0),
    ("统一社会信用代码", "uscc", true, 22.0),
    ("地址", "address", true, 30.0),
    ("经度", "longitude", false, 10.0),
    ("纬度", "latitude", false, 10.0),
    ("行业代码", "industryCode", true, 10.0),
    ("监管分类", "supervisionCategory", true, 14.0),
    ("企业规模", "scale", true, 8.0),
    ("从业人数", "employeeCount", true, 8.0),
    ("主要负责人", "principalName", true, 10.0),
    ("主要负责人电话", "principalPhone", false, 14.0),
    ("安全管理人员", "safetyManagerName", false, 10.0),
    ("安全管理人员电话", "safetyManagerPhone", false, 14.0),
    ("联系电话", "contactPhone", false, 14.0),
    ("监管部门", "departmentId", false, 16.0),
    ("所属区域编码", "regionId", true, 12.0),
    ("状态", "status", false, 8.0),
    ("备注", "remark", false, 20.0),
];

/// One problem with one row of an import.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RowError {
    /// Spreadsheet row number (the header is row 1).
    pub row: usize,
    /// Column header, e.g. `统一社会信用代码`.
    pub column: String,
    /// API field name, e.g. `uscc`.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// Why a file cannot be read as an enterprise sheet at all.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    /// Not an xlsx workbook.
    #[error("not a readable .xlsx workbook: {0}")]
    NotXlsx(String),
    /// The workbook has no sheet.
    #[error("the workbook has no worksheet")]
    NoSheet,
    /// Required header missing.
    #[error("the first row must hold the template's headers; missing: {0}")]
    MissingHeaders(String),
    /// Too many rows.
    #[error("at most {IMPORT_MAX_ROWS} rows per import")]
    TooManyRows,
}

/// A parsed row: its number and either a validated draft or its errors.
#[derive(Debug)]
pub struct ParsedRow {
    /// Spreadsheet row number.
    pub row: usize,
    /// The draft, or every error of the row.
    pub result: Result<EnterpriseDraft, Vec<RowError>>,
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// The sheet shows enumerations by Chinese label, so list the labels it accepts.
fn sheet_message(field: &str, message: &str) -> String {
    fn labels(all: impl Iterator<Item = &'static str>) -> String {
        format!("must be one of: {}", all.collect::<Vec<_>>().join(", "))
    }
    match field {
        "supervisionCategory" => labels(SupervisionCategory::ALL.iter().map(|c| c.label())),
        "scale" => labels(EnterpriseScale::ALL.iter().map(|c| c.label())),
        "status" => labels(EnterpriseStatus::ALL.iter().map(|c| c.label())),
        _ => message.to_owned(),
    }
}

fn header_of(field: &str) -> &'static str {
    COLUMNS
        .iter()
        .find(|c| c.1 == field)
        .map(|c| c.0)
        .unwrap_or("")
}

/// Parses an uploaded workbook's first sheet. Regions are given by code and departments by name;
/// both are resolved against `regions` / `departments`. Every row is validated like the REST API
/// would; duplicate credit codes within the file are reported on each later occurrence.
///
/// # Errors
/// [`SheetError`] when the file is not an enterprise sheet at all.
pub fn parse_workbook(
    bytes: &[u8],
    regions: &[Region],
    departments: &[Department],
) -> Result<Vec<ParsedRow>, SheetError> {
    let mut wb: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| SheetError::NotXlsx(e.to_string()))?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or(SheetError::NoSheet)?
        .map_err(|e| SheetError::NotXlsx(e.to_string()))?;
    let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .map(|r| r.iter().map(cell_text).collect())
        .unwrap_or_default();
    let norm = |h: &str| h.trim().trim_end_matches('*').trim().to_owned();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut missing = Vec::new();
    for (title, field, required, _) in COLUMNS {
        match header.iter().position(|h| norm(h) == title) {
            Some(i) => {
                index.insert(field, i);
            }
            None if required => missing.push(title),
            None => {}
        }
    }
    if !missing.is_empty() {
        return Err(SheetError::MissingHeaders(missing.join(", ")));
    }
    if range.height() > IMPORT_MAX_ROWS + 1 {
        return Err(SheetError::TooManyRows);
    }
    let region_by_code: HashMap<&str, i64> =
        regions.iter().map(|r| (r.code.as_str(), r.id)).collect();
    let dept_by_name: HashMap<&str, i64> = departments
        .iter()
        .map(|d| (d.name.as_str(), d.id))
        .collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for (i, cells) in rows.enumerate() {
        let row = first_row + i + 2;
        let get = |field: &str| {
            index
                .get(field)
                .and_then(|i| cells.get(*i))
                .map(cell_text)
                .unwrap_or_default()
        };
        if COLUMNS.iter().all(|c| get(c.1).is_empty()) {
            continue; // blank line
        }
        let mut errors = Vec::new();
        let mut err = |field: &str, message: String| {
            errors.push(RowError {
                row,
                column: header_of(field).into(),
                field: field.into(),
                message,
            })
        };
        let opt = |v: String| if v.is_empty() { None } else { Some(v) };
        let num = |field: &str, v: String, err: &mut dyn FnMut(&str, String)| -> Option<f64> {
            if v.is_empty() {
                return None;
            }
            match v.parse::<f64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    err(field, format!("'{v}' is not a number"));
                    None
                }
            }
        };
        let longitude = num("longitude", get("longitude"), &mut err);
        let latitude = num("latitude", get("latitude"), &mut err);
        let employees = get("employeeCount");
        let employee_count = if employees.is_empty() {
            err("employeeCount", "is required".into());
            0
        } else {
            employees.parse::<i64>().unwrap_or_else(|_| {
                err(
                    "employeeCount",
                    format!("'{employees}' is not a whole number"),
                );
                0
            })
        };
        let region_code = get("regionId");
        let region_id = if region_code.is_empty() {
            err("regionId", "is required".into());
            0
        } else {
            *region_by_code.get(region_code.as_str()).unwrap_or_else(|| {
                err("regionId", format!("no region with code '{region_code}'"));
                &0
            })
        };
        let dept = get("departmentId");
        let department_id = if dept.is_empty() {
            None
        } else {
            match dept_by_name.get(dept.as_str()) {
                Some(id) => Some(*id),
                None => {
                    err("departmentId", format!("no department named '{dept}'"));
                    None
                }
            }
        };
        let input = EnterpriseInput {
            name: get("name"),
            uscc: get("uscc"),
            address: get("address"),
            longitude,
            latitude,
            industry_code: get("industryCode"),
            supervision_category: get("supervisionCategory"),
            scale: get("scale"),
            employee_count,
            principal_name: get("principalName"),
            principal_phone: opt(get("principalPhone")),
            safety_manager_name: opt(get("safetyManagerName")),
            safety_manager_phone: opt(get("safetyManagerPhone")),
            contact_phone: opt(get("contactPhone")),
            department_id,
            region_id: region_id.max(1),
            status: opt(get("status")),
            remark: opt(get("remark")),
        };
        let validated = input.validate();
        if let Err(v) = &validated {
            for (field, message) in &v.fields {
                if !errors.iter().any(|e| &e.field == field) {
                    errors.push(RowError {
                        row,
                        column: header_of(field).into(),
                        field: field.clone(),
                        message: sheet_message(field, message),
                    });
                }
            }
        }
        if let Ok(d) = &validated {
            if let Some(first) = seen.get(d.uscc.as_str()) {
                errors.push(RowError {
                    row,
                    column: header_of("uscc").into(),
                    field: "uscc".into(),
                    message: format!("duplicate credit code: same as row {first}"),
                });
            } else {
                seen.insert(d.uscc.as_str().to_owned(), row);
            }
        }
        let result = match validated {
            Ok(d) if errors.is_empty() => Ok(d),
            _ => Err(errors),
        };
        out.push(ParsedRow { row, result });
    }
    Ok(out)
}

/// The cell values of one enterprise, in [`COLUMNS`] order, with codes shown as Chinese labels and
/// region / department by code / name (the same form the import reads).
pub fn row_values(e: &Enterprise, regions: &[Region], departments: &[Department]) -> Vec<String> {
    let region = regions
        .iter()
        .find(|r| r.id == e.region_id)
        .map(|r| r.code.clone())
        .unwrap_or_default();
    let dept = e
        .department_id
        .and_then(|d| departments.iter().find(|x| x.id == d))
        .map(|d| d.name.clone())
        .unwrap_or_default();
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    vec![
        e.name.clone(),
        e.uscc.clone(),
        e.address.clone(),
        e.longitude.map(|v| v.to_string()).unwrap_or_default(),
        e.latitude.map(|v| v.to_string()).unwrap_or_default(),
        e.industry_code.clone(),
        SupervisionCategory::parse(&e.supervision_category)
            .map(|c| c.label().to_owned())
            .unwrap_or_else(|| e.supervision_category.clone()),
        EnterpriseScale::parse(&e.scale)
            .map(|c| c.label().to_owned())
            .unwrap_or_else(|| e.scale.clone()),
        e.employee_count.to_string(),
        e.principal_name.clone(),
        o(&e.principal_phone),
        o(&e.safety_manager_name),
        o(&e.safety_manager_phone),
        o(&e.contact_phone),
        dept,
        region,
        EnterpriseStatus::parse(&e.status)
            .map(|c| c.label().to_owned())
            .unwrap_or_else(|| e.status.clone()),
        o(&e.remark),
    ]
}

fn header_row(ws: &mut rust_xlsxwriter::Worksheet, required_mark: bool) -> Result<(), XlsxError> {
    let bold = Format::new()
        .set_bold()
        .set_background_color(rust_xlsxwriter::Color::RGB(0xDDEBF7));
    for (i, (title, _, required, width)) in COLUMNS.iter().enumerate() {
        let t = if required_mark && *required {
            format!("{title}*")
        } else {
            (*title).to_owned()
        };
        ws.write_string_with_format(0, i as u16, t, &bold)?;
        ws.set_column_width(i as u16, *width)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The import template: the header row (required columns marked `*`), one example row, and a
/// second sheet listing the accepted categories, scales, statuses and region codes.
///
/// # Errors
/// [`XlsxError`] from the writer.
pub fn template(regions: &[Region]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("企业")?;
    header_row(ws, true)?;
    let example = [
        "示例化工有限公司",
        "91110000600037341L",
        "示例区示例路1号",
        "116.397",
        "39.908",
        "C2614",
        "危险化学品",
        "中型",
        "120",
        "张三",
        "13800000000",
        "李四",
        "13900000000",
        "010-12345678",
        "",
        regions.first().map(|r| r.code.as_str()).unwrap_or(""),
        "正常生产",
        "示例行，导入前请删除",
    ];
    for (i, v) in example.iter().enumerate() {
        ws.write_string(1, i as u16, *v)?;
    }
    let help = wb.add_worksheet().set_name("填写说明")?;
    let bold = Format::new().set_bold();
    help.write_string_with_format(0, 0, "监管分类", &bold)?;
    for (i, c) in SupervisionCategory::ALL.iter().enumerate() {
        help.write_string(i as u32 + 1, 0, c.label())?;
    }
    help.write_string_with_format(0, 1, "企业规模", &bold)?;
    for (i, c) in EnterpriseScale::ALL.iter().enumerate() {
        help.write_string(i as u32 + 1, 1, c.label())?;
    }
    help.write_string_with_format(0, 2, "状态", &bold)?;
    for (i, c) in EnterpriseStatus::ALL.iter().enumerate() {
        help.write_string(i as u32 + 1, 2, c.label())?;
    }
    help.write_string_with_format(0, 3, "区域编码", &bold)?;
    help.write_string_with_format(0, 4, "区域名称", &bold)?;
    for (i, r) in regions.iter().enumerate() {
        help.write_string(i as u32 + 1, 3, &r.code)?;
        help.write_string(i as u32 + 1, 4, &r.name)?;
    }
    help.set_column_width(0, 16)?;
    help.set_column_width(4, 20)?;
    wb.save_to_buffer()
}

/// An xlsx of `rows` (already turned into cell values by [`row_values`]).
///
/// # Errors
/// [`XlsxError`] from the writer.
pub fn export_xlsx(rows: &[Vec<String>]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("企业")?;
    header_row(ws, false)?;
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            // Keep numeric columns numeric so Excel can sum them; codes stay text.
            match COLUMNS[c as usize].1 {
                "longitude" | "latitude" | "employeeCount" if !v.is_empty() => {
                    match v.parse::<f64>() {
                        Ok(n) => ws.write_number(r, c, n)?,
                        Err(_) => ws.write_string(r, c, v)?,
                    }
                }
                _ => ws.write_string(r, c, v)?,
            };
        }
    }
    wb.save_to_buffer()
}

/// A CSV of `rows` with a header line, starting with the UTF-8 byte-order mark.
///
/// # Errors
/// [`csv::Error`] from the writer.
pub fn export_csv(rows: &[Vec<String>]) -> Result<Vec<u8>, csv::Error> {
    csv_with_headers(COLUMNS.iter().map(|c| c.0), rows)
}

fn csv_with_headers<'a>(
    headers: impl Iterator<Item = &'a str>,
    rows: &[Vec<String>],
) -> Result<Vec<u8>, csv::Error> {
    let mut buf = vec![0xEF, 0xBB, 0xBF];
    {
        let mut w = csv::Writer::from_writer(&mut buf);
        w.write_record(headers)?;
        for r in rows {
            // Excel shows an all-digit value of more than 15 digits (an 18-digit credit code) as
            // 9.13E+17 and loses digits; a leading tab keeps it text.
            w.write_record(r.iter().map(|v| {
                if v.len() > 15 && v.bytes().all(|b| b.is_ascii_digit()) {
                    format!("\t{v}")
                } else {
                    v.clone()
                }
            }))?;
        }
        w.flush()?;
    }
    Ok(buf)
}

// ---------------------------------------------------------------- generic sheets

/// A column of a generic sheet (devices, sensors): what the template, the import and the export
/// share.
#[derive(Debug, Clone, Copy)]
pub struct Col {
    /// Header text (the template marks required columns with a trailing `*`).
    pub header: &'static str,
    /// API field name, used in [`RowError::field`].
    pub field: &'static str,
    /// Whether the import needs the column.
    pub required: bool,
    /// Column width in the xlsx, characters.
    pub width: f64,
    /// Written as a number in the xlsx when the value parses as one.
    pub numeric: bool,
}

/// One non-blank data row of a generic sheet.
#[derive(Debug)]
pub struct SheetRow {
    /// Spreadsheet row number (the header is row 1).
    pub row: usize,
    /// Trimmed cell text by field name; a missing optional column reads as empty.
    pub cells: HashMap<&'static str, String>,
}

impl SheetRow {
    /// The trimmed text of a field (empty when blank or absent).
    pub fn get(&self, field: &str) -> &str {
        self.cells.get(field).map(String::as_str).unwrap_or("")
    }

    /// An error of this row on `field`, with the header of `cols`.
    pub fn error(&self, cols: &[Col], field: &str, message: impl Into<String>) -> RowError {
        RowError {
            row: self.row,
            column: cols
                .iter()
                .find(|c| c.field == field)
                .map(|c| c.header)
                .unwrap_or("")
                .into(),
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Reads the first sheet of an uploaded workbook whose first row holds the headers of `cols`
/// (in any order, `*` marks ignored). Blank rows are skipped.
///
/// # Errors
/// [`SheetError`] when the file is not such a sheet at all.
pub fn read_sheet(bytes: &[u8], cols: &[Col]) -> Result<Vec<SheetRow>, SheetError> {
    let mut wb: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| SheetError::NotXlsx(e.to_string()))?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or(SheetError::NoSheet)?
        .map_err(|e| SheetError::NotXlsx(e.to_string()))?;
    let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .map(|r| r.iter().map(cell_text).collect())
        .unwrap_or_default();
    let norm = |h: &str| h.trim().trim_end_matches('*').trim().to_owned();
    let mut index: Vec<(&'static str, usize)> = Vec::new();
    let mut missing = Vec::new();
    for c in cols {
        match header.iter().position(|h| norm(h) == c.header) {
            Some(i) => index.push((c.field, i)),
            None if c.required => missing.push(c.header),
            None => {}
        }
    }
    if !missing.is_empty() {
        return Err(SheetError::MissingHeaders(missing.join(", ")));
    }
    if range.height() > IMPORT_MAX_ROWS + 1 {
        return Err(SheetError::TooManyRows);
    }
    let mut out = Vec::new();
    for (i, cells) in rows.enumerate() {
        let values: HashMap<&'static str, String> = index
            .iter()
            .map(|(f, c)| (*f, cells.get(*c).map(cell_text).unwrap_or_default()))
            .collect();
        if values.values().all(String::is_empty) {
            continue;
        }
        out.push(SheetRow {
            row: first_row + i + 2,
            cells: values,
        });
    }
    Ok(out)
}

/// An xlsx with one sheet `name` of `cols` and `rows` (cell values in column order); with
/// `required_mark` the required headers end in `*` (templates). `notes` adds a second sheet
/// `填写说明` with one column per (title, values).
///
/// # Errors
/// [`XlsxError`] from the writer.
pub fn write_sheet(
    name: &str,
    cols: &[Col],
    rows: &[Vec<String>],
    required_mark: bool,
    notes: &[(&str, Vec<String>)],
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name(name)?;
    let bold = Format::new()
        .set_bold()
        .set_background_color(rust_xlsxwriter::Color::RGB(0xDDEBF7));
    for (i, c) in cols.iter().enumerate() {
        let t = if required_mark && c.required {
            format!("{}*", c.header)
        } else {
            c.header.to_owned()
        };
        ws.write_string_with_format(0, i as u16, t, &bold)?;
        ws.set_column_width(i as u16, c.width)?;
    }
    ws.set_freeze_panes(1, 0)?;
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            let numeric = cols.get(c as usize).is_some_and(|col| col.numeric);
            match v.parse::<f64>() {
                Ok(n) if numeric && !v.is_empty() && n.is_finite() => ws.write_number(r, c, n)?,
                _ => ws.write_string(r, c, v)?,
            };
        }
    }
    if !notes.is_empty() {
        let help = wb.add_worksheet().set_name("填写说明")?;
        let bold = Format::new().set_bold();
        for (c, (title, values)) in notes.iter().enumerate() {
            help.write_string_with_format(0, c as u16, *title, &bold)?;
            help.set_column_width(c as u16, 24)?;
            for (r, v) in values.iter().enumerate() {
                help.write_string(r as u32 + 1, c as u16, v)?;
            }
        }
    }
    wb.save_to_buffer()
}

/// A CSV of `cols` and `rows` with a UTF-8 byte-order mark (see [`export_csv`]).
///
/// # Errors
/// [`csv::Error`] from the writer.
pub fn write_csv(cols: &[Col], rows: &[Vec<String>]) -> Result<Vec<u8>, csv::Error> {
    csv_with_headers(cols.iter().map(|c| c.header), rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn region() -> Region {
        Region {
            id: 7,
            parent_id: None,
            code: "110105".into(),
            name: "朝阳区".into(),
            level: "district".into(),
            path: "/7/".into(),
            sort: 0,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn sheet(rows: &[&[&str]]) -> Vec<u8> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (c, (t, ..)) in COLUMNS.iter().enumerate() {
            ws.write_string(0, c as u16, *t).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
            }
        }
        wb.save_to_buffer().unwrap()
    }

    const GOOD: &[&str] = &[
        "甲公司",
        "91110000600037341L",
        "地址",
        "116.4",
        "39.9",
        "2614",
        "危险化学品",
        "中型",
        "10",
        "张三",
        "",
        "",
        "",
        "",
        "",
        "110105",
        "",
        "",
    ];

    #[test]
    fn good_bad_and_duplicate_rows() {
        let mut bad: Vec<&str> = GOOD.to_vec();
        bad[1] = "91110000600037341N";
        let mut unknown_region: Vec<&str> = GOOD.to_vec();
        unknown_region[1] = "91440300715260000P";
        unknown_region[15] = "999999";
        let bytes = sheet(&[GOOD, &bad, &[], GOOD, &unknown_region]);
        let rows = parse_workbook(&bytes, &[region()], &[]).unwrap();
        assert_eq!(rows.len(), 4, "the blank line is skipped");
        assert!(rows[0].result.is_ok());
        assert_eq!(rows[0].row, 2);
        let e = rows[1].result.as_ref().unwrap_err();
        assert_eq!(
            (e[0].row, e[0].column.as_str(), e[0].field.as_str()),
            (3, "统一社会信用代码", "uscc")
        );
        assert!(e[0].message.contains("check character"));
        let dup = rows[2].result.as_ref().unwrap_err();
        assert_eq!(dup[0].row, 5);
        assert!(dup[0].message.contains("row 2"));
        let reg = rows[3].result.as_ref().unwrap_err();
        assert!(
            reg.iter()
                .any(|e| e.field == "regionId" && e.message.contains("999999")),
            "{reg:?}"
        );
    }

    #[test]
    fn missing_headers_and_garbage() {
        let mut wb = Workbook::new();
        wb.add_worksheet().write_string(0, 0, "企业名称").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        assert!(
            matches!(parse_workbook(&bytes, &[], &[]), Err(SheetError::MissingHeaders(m)) if m.contains("统一社会信用代码"))
        );
        assert!(matches!(
            parse_workbook(b"not a zip", &[], &[]),
            Err(SheetError::NotXlsx(_))
        ));
    }

    #[test]
    fn csv_keeps_long_digit_codes_as_text_and_labels_enumerations() {
        let mut row = vec!["甲".to_string(); COLUMNS.len()];
        row[1] = "913201026381282495".into();
        let text = String::from_utf8(export_csv(&[row]).unwrap()[3..].to_vec()).unwrap();
        assert!(text.contains("\t913201026381282495"));
        assert!(sheet_message("scale", "x").contains("大型"));
        assert_eq!(sheet_message("name", "is required"), "is required");
    }

    #[test]
    fn csv_has_bom_and_round_trips_headers() {
        let csv = export_csv(&[vec!["甲".into(); COLUMNS.len()]]).unwrap();
        assert_eq!(&csv[..3], &[0xEF, 0xBB, 0xBF]);
        let text = String::from_utf8(csv[3..].to_vec()).unwrap();
        assert!(text.starts_with("企业名称,统一社会信用代码"));
    }

    #[test]
    fn generic_sheet_round_trips_and_names_missing_headers() {
        const COLS: [Col; 3] = [
            Col {
                header: "编码",
                field: "code",
                required: true,
                width: 10.0,
                numeric: false,
            },
            Col {
                header: "数值",
                field: "value",
                required: false,
                width: 10.0,
                numeric: true,
            },
            Col {
                header: "备注",
                field: "remark",
                required: false,
                width: 10.0,
                numeric: false,
            },
        ];
        let rows = vec![
            vec!["A-1".to_owned(), "12.5".into(), "x".into()],
            vec![String::new(), String::new(), String::new()],
            vec!["A-2".to_owned(), String::new(), String::new()],
        ];
        let bytes = write_sheet("表", &COLS, &rows, true, &[("说明", vec!["一".into()])]).unwrap();
        let read = read_sheet(&bytes, &COLS).unwrap();
        assert_eq!(read.len(), 2, "the blank row is skipped");
        assert_eq!(
            (read[0].row, read[0].get("code"), read[0].get("value")),
            (2, "A-1", "12.5")
        );
        assert_eq!((read[1].row, read[1].get("remark")), (4, ""));
        assert_eq!(read[1].error(&COLS, "value", "bad").column, "数值");
        let only_value = write_sheet("表", &COLS[1..], &[], false, &[]).unwrap();
        assert!(
            matches!(read_sheet(&only_value, &COLS), Err(SheetError::MissingHeaders(h)) if h == "编码")
        );
        let csv = write_csv(&COLS, &rows[..1]).unwrap();
        assert!(
            String::from_utf8(csv[3..].to_vec())
                .unwrap()
                .starts_with("编码,数值,备注\nA-1,12.5,x")
        );
    }

    #[test]
    fn template_parses_back_with_its_example_row() {
        let t = template(&[region()]).unwrap();
        let rows = parse_workbook(&t, &[region()], &[]).unwrap();
        assert_eq!(rows.len(), 1);
        assert!(rows[0].result.is_ok(), "{:?}", rows[0].result);
    }
}
