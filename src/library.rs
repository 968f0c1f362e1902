//! Reading a protocol library: the one way in for the library built into the
//! page and for a clinic's own (`KetaminePlanner.useLibrary`, the element's
//! `library` attribute, `Library::from_json` natively). The text is read into
//! a bounded `Value` (serde_json natively, the browser's `JSON.parse` in the
//! wasm), every field is read against the shapes below, and the whole is
//! checked. Every problem is listed at once, each at its JSON Pointer
//! (RFC 6901: `/protocols/3/caps/0/mgPerHour`) with a stable code.
//!
//! The fields are read by hand, not by serde's derive: the derive for these
//! types cost 14 KB of the page's 150 KB budget (measured), and it stops at
//! the first problem where a pharmacist needs all of them.

use crate::error::{FieldErrors, PlanError};
use crate::protocol::*;
use crate::reader::{self, At, Problems};
use crate::value::{Limits, Value};
use crate::weight::WeightBasis;

/// Bounds for a library file: far above the shipped one (8 protocols,
/// 5 levels deep, notes of a few hundred characters).
pub const LIMITS: Limits = Limits {
    depth: 8,
    list: 200,
    keys: 64,
    text: 4_000,
    values: 50_000,
};

/// The weight the check plans each protocol's own default for.
const CHECK_ADULT_KG: f64 = 70.0;

/// Reads and checks a library from its JSON text (native; the wasm parses
/// the text with `JSON.parse` and calls [`from_value`]).
#[cfg(not(target_arch = "wasm32"))]
pub fn from_json(text: &str) -> Result<Library, FieldErrors> {
    use serde::de::DeserializeSeed;
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Bounded
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|_| v))
        .map_err(|e| not_json(&e.to_string()))?;
    from_value(&value)
}

#[cfg(not(target_arch = "wasm32"))]
struct Bounded;

#[cfg(not(target_arch = "wasm32"))]
impl<'de> serde::de::DeserializeSeed<'de> for Bounded {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::read(d, LIMITS)
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl Library {
    /// The library shipped with the planner.
    pub fn default_library() -> Result<Library, FieldErrors> {
        from_json(DEFAULT_LIBRARY_JSON)
    }

    /// Reads and checks a library file, a clinic's own or the default.
    pub fn from_json(text: &str) -> Result<Library, FieldErrors> {
        from_json(text)
    }
}

/// The refusal of a text that is not JSON (or exceeds [`LIMITS`]).
pub fn not_json(why: &str) -> FieldErrors {
    let message = format!("The library is not valid JSON: {why}.");
    PlanError::new("", "not_json", message).into()
}

/// Reads every field, then checks the library as a whole.
pub fn from_value(value: &Value) -> Result<Library, FieldErrors> {
    reader::read(value, |at| {
        let lib = library(at)?;
        // The checks across fields need every field read.
        if at.problems.is_empty() {
            check(&lib, at.problems);
        }
        Some(lib)
    })
}

/// SHA-256 of `bytes` as lowercase hex: the library's identity on screen
/// and on paper (sha2, RustCrypto's implementation).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(64);
    for b in sha2::Sha256::digest(bytes) {
        hex.push(char::from(HEX[usize::from(b >> 4)]));
        hex.push(char::from(HEX[usize::from(b & 15)]));
    }
    hex
}

fn library(at: &At) -> Option<Library> {
    at.object(&[
        "version",
        "about",
        "drugs",
        "containers",
        "cautions",
        "cautionsSource",
        "discharge",
        "protocols",
        "tests",
    ])?;
    let discharge = at.key("discharge");
    let discharge = discharge
        .object(&["noDrivingHours", "tag", "note"])
        .map(|()| Discharge {
            no_driving_hours: discharge.key("noDrivingHours").count_in(1, 168),
            tag: tag(&discharge.key("tag")),
            note: discharge.key("note").text_or_empty(),
        });
    Some(Library {
        version: at.key("version").text(),
        about: at.key("about").text_or_empty(),
        drugs: at.key("drugs").list(drug),
        containers: at.key("containers").list(container),
        cautions: at.key("cautions").list(caution),
        cautions_source: at.key("cautionsSource").text_or_empty(),
        protocols: at.key("protocols").list(protocol),
        tests: at.key("tests").list_or_empty(library_test),
        discharge: discharge?,
    })
}

fn library_test(at: &At) -> Option<LibraryTest> {
    at.object(&["name", "request", "expect"])?;
    let (request, expect) = (at.key("request"), at.key("expect"));
    let checked = request.request();
    let scalar = |v: &Value| !matches!(v, Value::List(_) | Value::Object(_));
    let expect = match expect.value {
        Some(v @ Value::Object(entries))
            if !entries.is_empty() && entries.iter().all(|e| scalar(&e.1)) =>
        {
            Some(v.clone())
        }
        _ => {
            let message =
                "Expected the values the plan must hold, by path: {\"levels.0.mlPerHour\": 100}.";
            expect.add("wrong_type", message);
            None
        }
    };
    Some(LibraryTest {
        name: at.key("name").text(),
        request: checked.and(request.value.cloned())?,
        expect: expect?,
    })
}

fn positive(at: &At) -> Option<f64> {
    Some(at.positive())
}

/// An evidence tag of clinical-spec section 1.
fn tag(at: &At) -> String {
    let t = at.text();
    if at.value.is_some_and(|v| v.as_text().is_some()) && !TAGS.contains(&&*t) {
        let message = format!(
            "\"{t}\" is not an evidence tag ({}).",
            crate::numbers::listed(&TAGS)
        );
        at.add("unknown_tag", message);
    }
    t
}

fn drug(at: &At) -> Option<Drug> {
    at.object(&[
        "id",
        "name",
        "vialsMgPerMl",
        "preferredVialMgPerMl",
        "standardConcentrationsMgPerMl",
        "maxInfusionConcentrationMgPerMl",
        "softMgPerKgPerHour",
        "hardMgPerKgPerHour",
        "softLimitNote",
        "hardLimitNote",
        "notes",
        "tag",
        "source",
    ])?;
    Some(Drug {
        id: at.key("id").text(),
        name: at.key("name").text(),
        vials_mg_per_ml: at.key("vialsMgPerMl").list(positive),
        preferred_vial_mg_per_ml: at.key("preferredVialMgPerMl").positive(),
        standard_concentrations_mg_per_ml: at.key("standardConcentrationsMgPerMl").list(positive),
        max_infusion_concentration_mg_per_ml: at.key("maxInfusionConcentrationMgPerMl").positive(),
        soft_mg_per_kg_per_hour: at.key("softMgPerKgPerHour").positive(),
        hard_mg_per_kg_per_hour: at.key("hardMgPerKgPerHour").positive(),
        soft_limit_note: at.key("softLimitNote").text(),
        hard_limit_note: at.key("hardLimitNote").text(),
        notes: at.key("notes").text_or_empty(),
        tag: tag(&at.key("tag")),
        source: at.key("source").text(),
    })
}

fn container(at: &At) -> Option<Container> {
    at.object(&[
        "concentrationMgPerMl",
        "drugMg",
        "finalVolumeMl",
        "container",
        "tag",
    ])?;
    Some(Container {
        concentration_mg_per_ml: at.key("concentrationMgPerMl").positive(),
        drug_mg: at.key("drugMg").positive(),
        final_volume_ml: at.key("finalVolumeMl").positive(),
        container: at.key("container").text(),
        tag: tag(&at.key("tag")),
    })
}

fn caution(at: &At) -> Option<Caution> {
    at.object(&["id", "label", "advice"])?;
    Some(Caution {
        id: at.key("id").text(),
        label: at.key("label").text(),
        advice: at.key("advice").text(),
    })
}

const DOSE_UNITS: [(&str, DoseUnit); 5] = [
    ("mg/kg/h", DoseUnit::MgPerKgPerHour),
    ("mcg/kg/min", DoseUnit::McgPerKgPerMin),
    ("mg/h", DoseUnit::MgPerHour),
    ("mg/session", DoseUnit::MgPerSession),
    ("mL/h", DoseUnit::MlPerHour),
];
const TITRATIONS: [(&str, Titration); 2] =
    [("none", Titration::None), ("response", Titration::Response)];
const SCHEDULES: [(&str, Schedule); 4] = [
    ("single", Schedule::Single),
    ("daily", Schedule::Daily),
    ("weekdays", Schedule::Weekdays),
    ("continuous", Schedule::Continuous),
];
const WEIGHT_BASES: [(&str, WeightBasis); 4] = [
    ("auto", WeightBasis::Auto),
    ("total", WeightBasis::Total),
    ("ideal", WeightBasis::Ideal),
    ("adjusted", WeightBasis::Adjusted),
];
/// A protocol's minimum minutes between dose steps when it gives none.
const DEFAULT_STEP_INTERVAL: u32 = 60;

fn protocol(at: &At) -> Option<Protocol> {
    at.object(&[
        "id",
        "name",
        "drug",
        "setting",
        "summary",
        "dose",
        "frailStart",
        "titration",
        "minStepIntervalMinutes",
        "weightBasis",
        "caps",
        "defaultConcentrationMgPerMl",
        "sessionMinutes",
        "observationMinutes",
        "containerChangeHours",
        "course",
        "booster",
        "followUp",
        "premedication",
        "adjuncts",
        "monitoring",
        "source",
        "tag",
        "notes",
    ])?;
    let frail = at.key("frailStart");
    let frail_start = frail
        .given()
        .then(|| {
            frail.object(&["start", "ageYears"]).map(|()| FrailStart {
                start: frail.key("start").positive(),
                age_years: frail.key("ageYears").positive(),
            })
        })
        .flatten();
    let (minutes, course) = (at.key("sessionMinutes"), at.key("course"));
    let dose = dose_recipe(&at.key("dose"));
    let titration = at.key("titration").choice(&TITRATIONS);
    let weight_basis = at.key("weightBasis").choice(&WEIGHT_BASES);
    let session_minutes = minutes
        .object(&["default", "min", "max"])
        .map(|()| MinuteRange {
            default: minutes.key("default").count(),
            min: minutes.key("min").count(),
            max: minutes.key("max").count(),
        });
    let schedule = course
        .object(&["schedule", "sessions", "scheduleOptions"])
        .map(|()| {
            let schedule = course.key("schedule").choice(&SCHEDULES);
            let options = course
                .key("scheduleOptions")
                .list_or_empty(|a| a.choice(&SCHEDULES));
            (
                schedule,
                course.key("sessions").count_in(1, u32::MAX),
                options,
            )
        });
    // Every field is read before the first `?`, so each problem is recorded.
    Some(Protocol {
        id: at.key("id").text(),
        name: at.key("name").text(),
        drug: at.key("drug").text(),
        setting: at.key("setting").text(),
        summary: at.key("summary").text(),
        frail_start,
        min_step_interval_minutes: at
            .key("minStepIntervalMinutes")
            .opt_count()
            .unwrap_or(DEFAULT_STEP_INTERVAL),
        caps: at.key("caps").list(cap),
        default_concentration_mg_per_ml: at.key("defaultConcentrationMgPerMl").opt_positive(),
        observation_minutes: at.key("observationMinutes").count(),
        container_change_hours: at.key("containerChangeHours").opt_count(),
        booster: at.key("booster").list_or_empty(booster),
        follow_up: at.key("followUp").list_or_empty(follow_up),
        premedication: at.key("premedication").text(),
        adjuncts: at.key("adjuncts").text_or_empty(),
        monitoring: at.key("monitoring").text(),
        source: at.key("source").text(),
        tag: tag(&at.key("tag")),
        notes: at.key("notes").text_or_empty(),
        dose: dose?,
        titration: titration?,
        weight_basis: weight_basis?,
        session_minutes: session_minutes?,
        course: match schedule? {
            (Some(schedule), sessions, schedule_options) => Course {
                schedule,
                sessions,
                schedule_options,
            },
            (None, ..) => return None,
        },
    })
}

fn dose_recipe(at: &At) -> Option<DoseRecipe> {
    at.object(&["doseUnit", "start", "step", "max", "sessionDoseMg"])?;
    Some(DoseRecipe {
        start: at.key("start").opt_positive(),
        step: at.key("step").opt_positive(),
        max: at.key("max").opt_positive(),
        session_dose_mg: at.key("sessionDoseMg").opt_positive(),
        dose_unit: at.key("doseUnit").choice(&DOSE_UNITS)?,
    })
}

fn cap(at: &At) -> Option<Cap> {
    at.object(&["mgPerHour", "weightKgAbove", "weightKgAtMost", "note"])?;
    let note = at.key("note");
    Some(Cap {
        mg_per_hour: at.key("mgPerHour").positive(),
        weight_kg_above: at.key("weightKgAbove").opt_positive(),
        weight_kg_at_most: at.key("weightKgAtMost").opt_positive(),
        note: note.given().then(|| note.text()),
    })
}

fn booster(at: &At) -> Option<BoosterPhase> {
    at.object(&[
        "label",
        "intervalDays",
        "occurrences",
        "sessionsPerOccurrence",
        "tag",
    ])?;
    Some(BoosterPhase {
        label: at.key("label").text(),
        interval_days: at.key("intervalDays").count_in(1, u32::MAX),
        occurrences: at.key("occurrences").count_in(1, u32::MAX),
        sessions_per_occurrence: at.key("sessionsPerOccurrence").count_in(1, u32::MAX),
        tag: tag(&at.key("tag")),
    })
}

fn follow_up(at: &At) -> Option<FollowUpWindow> {
    at.object(&["kind", "fromDays", "toDays", "source", "tag"])?;
    Some(FollowUpWindow {
        kind: at.key("kind").text(),
        from_days: at.key("fromDays").count(),
        to_days: at.key("toDays").count(),
        source: at.key("source").text(),
        tag: tag(&at.key("tag")),
    })
}

/// The evidence tags of clinical-spec section 1.
const TAGS: [&str; 4] = ["S", "S2", "PK-code", "D"];

/// The checks across fields, once every field has read: each problem at the
/// path of the value to change.
fn check(lib: &Library, problems: &Problems) {
    if lib.version.trim().is_empty() {
        problems.add("/version", "required", "The library needs a version.");
    }
    if lib.protocols.is_empty() {
        problems.add(
            "/protocols",
            "no_protocols",
            "The library has no protocols.",
        );
    }
    let ids = |list: &str, ids: Vec<&str>| {
        for (i, id) in ids.iter().enumerate() {
            if ids[..i].contains(id) {
                let message = format!("The id \"{id}\" is used twice in {list}.");
                problems.within(&format!("/{list}/{i}"), "id", "duplicate_id", message);
            }
        }
    };
    ids("drugs", lib.drugs.iter().map(|d| &*d.id).collect());
    ids("cautions", lib.cautions.iter().map(|c| &*c.id).collect());
    ids("protocols", lib.protocols.iter().map(|p| &*p.id).collect());

    for (i, d) in lib.drugs.iter().enumerate() {
        let at = format!("/drugs/{i}");
        let above_max = |c: &f64| *c > d.max_infusion_concentration_mg_per_ml;
        if let Some(j) = d
            .standard_concentrations_mg_per_ml
            .iter()
            .position(above_max)
        {
            let message =
                "A standard concentration above the drug's maximum infusion concentration.";
            problems.within(
                &at,
                &format!("standardConcentrationsMgPerMl/{j}"),
                "contradiction",
                message,
            );
        }
        if !d
            .vials_mg_per_ml
            .iter()
            .any(|v| same(*v, d.preferred_vial_mg_per_ml))
        {
            let message = "The preferred vial must be one of the drug's vials.";
            problems.within(&at, "preferredVialMgPerMl", "contradiction", message);
        }
        if d.soft_mg_per_kg_per_hour >= d.hard_mg_per_kg_per_hour {
            let message = "The soft limit must be below the hard limit.";
            problems.within(&at, "softMgPerKgPerHour", "soft_not_below_hard", message);
        }
    }
    for (i, c) in lib.containers.iter().enumerate() {
        if !same(c.drug_mg, c.concentration_mg_per_ml * c.final_volume_ml) {
            let message = "Drug mg must equal concentration x final volume.";
            problems.within(
                &format!("/containers/{i}"),
                "drugMg",
                "contradiction",
                message,
            );
        }
    }
    for (i, p) in lib.protocols.iter().enumerate() {
        check_protocol(lib, &format!("/protocols/{i}"), p, problems);
    }
    // Planning assumes everything above holds, so it runs only then (and a
    // problem above is not reported a second time as an unplannable default).
    if problems.is_empty() {
        for (i, p) in lib.protocols.iter().enumerate() {
            if let Some(drug) = lib.drug(&p.drug) {
                default_plan_within_hard_limits(lib, &format!("/protocols/{i}"), drug, p, problems);
            }
        }
    }
}

fn check_protocol(lib: &Library, at: &str, p: &Protocol, problems: &Problems) {
    let contradiction =
        |key: &str, message: &str| problems.within(at, key, "contradiction", message);
    let drug = lib.drug(&p.drug);
    if drug.is_none() {
        let message = format!("\"{}\" is not a drug of this library.", p.drug);
        problems.within(at, "drug", "unknown_drug", message);
    }
    if let Some(j) = p.follow_up.iter().position(|f| f.from_days > f.to_days) {
        contradiction(
            &format!("followUp/{j}/toDays"),
            "The follow-up window ends before it starts.",
        );
    }
    let empty_band =
        |c: &Cap| matches!((c.weight_kg_above, c.weight_kg_at_most), (Some(a), Some(m)) if a >= m);
    if let Some(j) = p.caps.iter().position(empty_band) {
        let message = "The weight band is empty: weightKgAbove must be below weightKgAtMost.";
        contradiction(&format!("caps/{j}/weightKgAtMost"), message);
    }
    // A rate protocol may leave its start dose to the order (custom): the
    // planner then refuses to plan until one is entered.
    let d = &p.dose;
    let per_session = d.dose_unit == DoseUnit::MgPerSession;
    if per_session && d.start.is_some() {
        contradiction(
            "dose/start",
            "A session-dose protocol (mg/session) gives sessionDoseMg, not a start dose.",
        );
    }
    if per_session != d.session_dose_mg.is_some() {
        contradiction(
            "dose/sessionDoseMg",
            "sessionDoseMg belongs to mg/session protocols, and they need it.",
        );
    }
    let titrated = p.titration == Titration::Response;
    if titrated != d.step.is_some() || titrated != d.max.is_some() {
        contradiction(
            "titration",
            "Titration by response needs a step and a max dose, and only it may have them.",
        );
    }
    if matches!((d.start, d.max), (Some(s), Some(m)) if m < s) {
        contradiction("dose/max", "The max dose is below the start dose.");
    }
    if matches!((&p.frail_start, d.start), (Some(f), Some(s)) if f.start > s) {
        contradiction(
            "frailStart/start",
            "The start dose for frail patients is above the usual start dose.",
        );
    }
    if matches!((p.default_concentration_mg_per_ml, drug), (Some(c), Some(d)) if c > d.max_infusion_concentration_mg_per_ml)
    {
        contradiction(
            "defaultConcentrationMgPerMl",
            "The default concentration is above the drug's maximum infusion concentration.",
        );
    }
    let r = p.session_minutes;
    if r.min == 0 || r.min > r.default || r.default > r.max {
        contradiction(
            "sessionMinutes",
            "Session minutes need 0 < min <= default <= max.",
        );
    }
}

/// A protocol whose own default, for a 70 kg adult, would meet a hard limit
/// is a library error: the page would offer a protocol it cannot plan.
/// It is planned at the protocol's default concentration, else the drug's
/// first standard one, else (a drug prepared per patient) its maximum.
fn default_plan_within_hard_limits(
    lib: &Library,
    at: &str,
    drug: &Drug,
    p: &Protocol,
    problems: &Problems,
) {
    if p.dose.start.is_none() && p.dose.session_dose_mg.is_none() {
        return; // custom: the dose is the order's
    }
    let mut req = crate::request::PlanRequest {
        protocol: p.id.to_string(),
        concentration_mg_per_ml: p
            .default_concentration_mg_per_ml
            .or(drug.standard_concentrations_mg_per_ml.first().copied())
            .or(Some(drug.max_infusion_concentration_mg_per_ml)),
        ..Default::default()
    };
    req.patient.weight_kg = Some(CHECK_ADULT_KG);
    let (code, why) = match crate::plan::plan(lib, &req) {
        Ok(plan) => match plan
            .alerts
            .iter()
            .find(|a| a.level == crate::alert::Level::Hard)
        {
            Some(a) => (
                "default_hits_hard_limit",
                format!("meets a hard limit: {}", a.message),
            ),
            None => return,
        },
        Err(e) => {
            let why = e.first().map_or("", |e| e.message.as_str());
            ("default_not_plannable", format!("cannot be planned: {why}"))
        }
    };
    let message = format!("The protocol's own default plan for a {CHECK_ADULT_KG} kg adult {why}");
    problems.add(at, code, message);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value as Json};

    fn shipped() -> Json {
        serde_json::from_str(DEFAULT_LIBRARY_JSON).unwrap()
    }

    /// The problems of `lib` as (path, code), in the order found.
    fn problems(lib: &Json) -> Vec<(String, String)> {
        match from_json(&lib.to_string()) {
            Ok(_) => Vec::new(),
            Err(all) => all
                .iter()
                .map(|e| (e.field.clone(), e.code.clone()))
                .collect(),
        }
    }

    /// The shipped library with one change at `pointer`, refused with exactly
    /// that one problem.
    fn refused(pointer: &str, value: Json, path: &str, code: &str) {
        let mut lib = shipped();
        // The key is set, or added to its object when the file leaves it out.
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        match lib
            .pointer_mut(parent)
            .unwrap_or_else(|| panic!("no {parent}"))
        {
            Json::Object(o) => drop(o.insert(key.to_string(), value)),
            other => {
                *other
                    .pointer_mut(&format!("/{key}"))
                    .unwrap_or_else(|| panic!("no {pointer}")) = value
            }
        }
        assert_eq!(
            problems(&lib),
            [(path.to_string(), code.to_string())],
            "{pointer}"
        );
    }

    fn index(lib: &Json, list: &str, id: &str) -> usize {
        let items = lib[list].as_array().unwrap();
        items.iter().position(|p| p["id"] == id).unwrap()
    }

    #[test]
    fn the_shipped_library_passes_every_check() {
        let lib = from_json(DEFAULT_LIBRARY_JSON).unwrap();
        assert_eq!(lib.protocols.len(), 8);
        assert_eq!(lib.version, shipped()["version"].as_str().unwrap());
    }

    #[test]
    fn text_that_is_not_json_is_refused_at_the_root() {
        for text in ["", "{", "[1, 2", "{\"version\": }", "{} extra"] {
            let e = from_json(text).unwrap_err();
            assert_eq!(
                (
                    e.first().unwrap().field.as_str(),
                    e.first().unwrap().code.as_str()
                ),
                ("", "not_json"),
                "{text:?}"
            );
        }
        assert_eq!(
            problems(&json!([1, 2])),
            [(String::new(), "wrong_type".into())]
        );
    }

    #[test]
    fn each_field_problem_names_its_pointer_and_code() {
        let lib = shipped();
        let wr = index(&lib, "protocols", "walter-reed-outpatient");
        let at = |rest: &str| format!("/protocols/{wr}/{rest}");
        refused("/version", json!(""), "/version", "required");
        refused("/version", json!(3), "/version", "wrong_type");
        refused(
            &at("caps/0/mgPerHour"),
            json!("120"),
            &at("caps/0/mgPerHour"),
            "wrong_type",
        );
        refused(
            &at("caps/0/mgPerHour"),
            json!(-1),
            &at("caps/0/mgPerHour"),
            "not_positive",
        );
        refused(
            &at("observationMinutes"),
            json!(1.5),
            &at("observationMinutes"),
            "out_of_range",
        );
        refused(
            &at("titration"),
            json!("sometimes"),
            &at("titration"),
            "unknown_value",
        );
        refused(&at("tag"), json!("maybe"), &at("tag"), "unknown_tag");
        refused(
            &at("drug"),
            json!("unobtainium"),
            &at("drug"),
            "unknown_drug",
        );
        refused(
            "/discharge/noDrivingHours",
            json!(0),
            "/discharge/noDrivingHours",
            "out_of_range",
        );
        refused(
            "/drugs/0/softMgPerKgPerHour",
            json!(5.0),
            "/drugs/0/softMgPerKgPerHour",
            "soft_not_below_hard",
        );
        refused("/protocols", json!([]), "/protocols", "no_protocols");
        // RFC 6901 escapes "~" and "/" in keys.
        let mut bad = shipped();
        bad["a/b~c"] = json!(1);
        assert_eq!(
            problems(&bad),
            [("/a~1b~0c".to_string(), "unknown_field".to_string())]
        );
    }

    #[test]
    fn a_missing_field_and_an_unknown_field_are_both_named() {
        let mut lib = shipped();
        let p = lib["protocols"][0].as_object_mut().unwrap();
        p.remove("monitoring");
        p.insert("monitorng".into(), json!("typo"));
        assert_eq!(
            problems(&lib),
            [
                (
                    "/protocols/0/monitorng".to_string(),
                    "unknown_field".to_string()
                ),
                (
                    "/protocols/0/monitoring".to_string(),
                    "required".to_string()
                ),
            ]
        );
    }

    #[test]
    fn several_problems_are_listed_at_once() {
        let mut lib = shipped();
        lib["version"] = json!(7);
        lib["drugs"][0]["tag"] = json!(1);
        lib["protocols"][1]["caps"] = json!("none");
        assert_eq!(
            problems(&lib),
            [
                ("/version".to_string(), "wrong_type".to_string()),
                ("/drugs/0/tag".to_string(), "wrong_type".to_string()),
                ("/protocols/1/caps".to_string(), "wrong_type".to_string()),
            ]
        );
    }

    #[test]
    fn duplicate_ids_are_refused_at_the_second() {
        let mut lib = shipped();
        let first = lib["protocols"][0]["id"].clone();
        lib["protocols"][2]["id"] = first;
        assert_eq!(
            problems(&lib),
            [("/protocols/2/id".to_string(), "duplicate_id".to_string())]
        );
        let mut lib = shipped();
        let c = lib["cautions"][0].clone();
        lib["cautions"].as_array_mut().unwrap().push(c);
        let n = lib["cautions"].as_array().unwrap().len() - 1;
        assert_eq!(
            problems(&lib),
            [(format!("/cautions/{n}/id"), "duplicate_id".to_string())]
        );
    }

    #[test]
    fn contradictions_are_refused_at_the_value_to_change() {
        let lib = shipped();
        let wr = index(&lib, "protocols", "walter-reed-outpatient");
        let at = |rest: &str| format!("/protocols/{wr}/{rest}");
        refused(
            &at("sessionMinutes/default"),
            json!(10),
            &at("sessionMinutes"),
            "contradiction",
        );
        refused(
            "/containers/0/drugMg",
            json!(1),
            "/containers/0/drugMg",
            "contradiction",
        );
        refused(
            "/drugs/0/preferredVialMgPerMl",
            json!(7),
            "/drugs/0/preferredVialMgPerMl",
            "contradiction",
        );
        let mut band = shipped();
        band["protocols"][wr]["caps"] =
            json!([{"mgPerHour": 100, "weightKgAbove": 80, "weightKgAtMost": 60}]);
        assert_eq!(
            problems(&band),
            [(at("caps/0/weightKgAtMost"), "contradiction".to_string())]
        );
        // A titrated protocol whose max is below its start.
        let getson = index(&lib, "protocols", "getson-inpatient");
        let start = lib["protocols"][getson]["dose"]["start"].as_f64().unwrap();
        let mut low = shipped();
        low["protocols"][getson]["dose"]["max"] = json!(start / 2.0);
        assert_eq!(
            problems(&low),
            [(
                format!("/protocols/{getson}/dose/max"),
                "contradiction".to_string()
            )]
        );
    }

    #[test]
    fn the_other_cross_field_rules_each_name_the_value_to_change() {
        let lib = shipped();
        let at =
            |id: &str, rest: &str| format!("/protocols/{}/{rest}", index(&lib, "protocols", id));
        let getson = |rest: &str| at("getson-inpatient", rest);
        let wr = |rest: &str| at("walter-reed-outpatient", rest);
        // Frail start above the usual start (the ward protocol starts at 5 mg/h).
        let ward = |rest: &str| at("ward-low-dose", rest);
        refused(
            &ward("frailStart/start"),
            json!(50),
            &ward("frailStart/start"),
            "contradiction",
        );
        // A default concentration above the drug's maximum (10 mg/mL).
        refused(
            &wr("defaultConcentrationMgPerMl"),
            json!(20),
            &wr("defaultConcentrationMgPerMl"),
            "contradiction",
        );
        refused(
            "/drugs/0/standardConcentrationsMgPerMl/0",
            json!(50),
            "/drugs/0/standardConcentrationsMgPerMl/0",
            "contradiction",
        );
        // Titration by response without its step and max, and a step without it.
        refused(
            &getson("titration"),
            json!("none"),
            &getson("titration"),
            "contradiction",
        );
        refused(
            &wr("dose/step"),
            json!(0.5),
            &wr("titration"),
            "contradiction",
        );
        // A rate protocol with a session dose.
        refused(
            &wr("dose/sessionDoseMg"),
            json!(100),
            &wr("dose/sessionDoseMg"),
            "contradiction",
        );
        // Zero counts where a course or booster needs one.
        refused(
            &wr("course/sessions"),
            json!(0),
            &wr("course/sessions"),
            "out_of_range",
        );
        let b = getson("booster/0/occurrences");
        refused(&b, json!(0), &b, "out_of_range");
        let f = wr("followUp/0");
        let mut window = shipped();
        *window.pointer_mut(&format!("{f}/fromDays")).unwrap() = json!(100);
        *window.pointer_mut(&format!("{f}/toDays")).unwrap() = json!(10);
        assert_eq!(
            problems(&window),
            [(format!("{f}/toDays"), "contradiction".to_string())]
        );
    }

    #[test]
    fn a_default_plan_that_meets_a_hard_limit_is_refused() {
        // Walter Reed's own default for 70 kg with the hard limit lowered to
        // just above the soft one: its start dose then meets the hard limit.
        let mut lib = shipped();
        let wr = index(&lib, "protocols", "walter-reed-outpatient");
        let drug = lib["protocols"][wr]["drug"].clone();
        let d = index(&lib, "drugs", drug.as_str().unwrap());
        lib["drugs"][d]["softMgPerKgPerHour"] = json!(0.001);
        lib["drugs"][d]["hardMgPerKgPerHour"] = json!(0.002);
        let found = problems(&lib);
        assert!(
            found.contains(&(
                format!("/protocols/{wr}"),
                "default_hits_hard_limit".to_string()
            )),
            "{found:?}"
        );
    }

    #[test]
    fn a_library_carries_its_own_test_cases_checked_like_any_request() {
        let case = json!({"name": "WR 100 kg", "request": {"protocol": "walter-reed-outpatient", "patient": {"weightKg": 100}, "concentrationMgPerMl": 1}, "expect": {"levels.0.mlPerHour": 120}});
        let mut lib = shipped();
        lib["tests"] = json!([case]);
        let read = from_json(&lib.to_string()).unwrap();
        assert_eq!(read.tests.len(), 1);
        assert_eq!(
            crate::json::to_string(&read.tests[0].expect).unwrap(),
            r#"{"levels.0.mlPerHour":120}"#
        );
        let mut bad = case.clone();
        bad["request"]["patient"]["weightKg"] = json!("100");
        bad["expect"] = json!({});
        lib["tests"] = json!([bad]);
        assert_eq!(
            problems(&lib),
            [
                (
                    "/tests/0/request/weightKg".to_string(),
                    "wrong_type".to_string()
                ),
                ("/tests/0/expect".to_string(), "wrong_type".to_string()),
            ]
        );
    }

    #[test]
    fn sha256_is_the_standard_digest() {
        // FIPS 180-2 test vectors.
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
