//! Demo region outlines for the situation map (态势总览): every district, and every street, gets
//! a plausible polygon around its enterprises — the convex hull of their positions (WGS 84
//! degrees) pushed outwards by a margin and rounded at the corners — stored as GeoJSON in
//! `regions.boundary`. Regions without placed enterprises keep no outline.

use anjian_domain::auth::ScopeFilter;
use anjian_store::{EnterpriseFilter, Store, StoreError};
use std::collections::HashMap;

/// Margin around the enterprises, degrees (≈ 1.5 km for a district, ≈ 0.7 km for a street).
const DISTRICT_MARGIN: f64 = 0.014;
const STREET_MARGIN: f64 = 0.006;

/// Writes the outlines of every district and street that has placed enterprises.
///
/// # Errors
/// Storage errors.
pub async fn seed(store: &Store) -> Result<(), StoreError> {
    let regions = store.list_regions().await?;
    let enterprises = store
        .all_enterprises(
            &EnterpriseFilter::default(),
            &ScopeFilter::unrestricted(),
            100_000,
        )
        .await?;
    let path_of: HashMap<i64, &str> = regions.iter().map(|r| (r.id, r.path.as_str())).collect();
    let mut points: HashMap<i64, Vec<(f64, f64)>> = HashMap::new();
    for e in &enterprises {
        let (Some(lon), Some(lat)) = (e.longitude, e.latitude) else {
            continue;
        };
        let Some(path) = path_of.get(&e.region_id) else {
            continue;
        };
        // The enterprise counts for its region and every ancestor.
        for id in path.split('/').filter_map(|s| s.parse::<i64>().ok()) {
            points.entry(id).or_default().push((lon, lat));
        }
    }
    for r in &regions {
        let margin = match r.level.as_str() {
            "district" => DISTRICT_MARGIN,
            "street" => STREET_MARGIN,
            _ => continue,
        };
        let Some(pts) = points.get(&r.id) else {
            continue;
        };
        let ring = outline(pts, margin);
        if ring.len() < 4 {
            continue;
        }
        let geojson = serde_json::json!({"type": "Polygon", "coordinates": [ring]}).to_string();
        store.set_region_boundary(r.id, Some(&geojson)).await?;
    }
    Ok(())
}

/// A closed ring around `pts`: each point is replaced by a small octagon of radius `margin`
/// (so one or two points still give an area), then the convex hull of all of them.
fn outline(pts: &[(f64, f64)], margin: f64) -> Vec<[f64; 2]> {
    let mut cloud = Vec::with_capacity(pts.len() * 8);
    for &(x, y) in pts {
        for k in 0..8 {
            let a = std::f64::consts::PI / 4.0 * f64::from(k) + std::f64::consts::PI / 8.0;
            cloud.push((x + margin * a.cos(), y + margin * 0.85 * a.sin()));
        }
    }
    let mut hull = convex_hull(cloud);
    if let Some(first) = hull.first().copied() {
        hull.push(first);
    }
    hull.into_iter()
        .map(|(x, y)| [(x * 1e5).round() / 1e5, (y * 1e5).round() / 1e5])
        .collect()
}

/// Andrew's monotone chain, counter-clockwise, without the closing point.
fn convex_hull(mut p: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    p.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    p.dedup();
    if p.len() < 3 {
        return p;
    }
    let cross = |o: (f64, f64), a: (f64, f64), b: (f64, f64)| {
        (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
    };
    let mut lower: Vec<(f64, f64)> = Vec::new();
    for &q in &p {
        while lower.len() >= 2 && cross(lower[lower.len() - 2], lower[lower.len() - 1], q) <= 0.0 {
            lower.pop();
        }
        lower.push(q);
    }
    let mut upper: Vec<(f64, f64)> = Vec::new();
    for &q in p.iter().rev() {
        while upper.len() >= 2 && cross(upper[upper.len() - 2], upper[upper.len() - 1], q) <= 0.0 {
            upper.pop();
        }
        upper.push(q);
    }
    lower.pop();
    upper.pop();
    lower.extend(upper);
    lower
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outline_is_a_closed_ring_around_the_points() {
        let pts = [
            (118.80, 32.05),
            (118.82, 32.06),
            (118.81, 32.04),
            (118.805, 32.05),
        ];
        let ring = outline(&pts, 0.01);
        assert!(ring.len() >= 4);
        assert_eq!(ring.first(), ring.last());
        let (minx, maxx) = ring
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p[0]), b.max(p[0])));
        assert!(minx < 118.80 && maxx > 118.82);
        let geojson = serde_json::json!({"type": "Polygon", "coordinates": [ring]}).to_string();
        assert!(anjian_store::situation::normalise_boundary(&geojson).is_ok());
        // A single enterprise still gets an area.
        assert_eq!(outline(&[(118.8, 32.0)], 0.01).len(), 9);
    }
}
