// Types for dist/ketamine-planner.js: the window.KetaminePlanner API and the
// <ketamine-planner> element. Hand-written from the core's serialized types;
// tests/browser/api.test.mjs checks them against the running engine (every
// API key, every contract field, every element attribute), so they cannot
// drift silently. Numbers shown to people are in the `text` objects: the
// core formats them (ISMP rules); the raw numbers are for machines.

/** Where a value that decides the rate came from. */
export type Source = 'ordered' | 'protocol' | 'derived' | 'default';

export type DoseUnit = 'mg/kg/h' | 'mcg/kg/min' | 'mg/h';
export type Schedule = 'single' | 'daily' | 'weekdays' | 'continuous';
export type WeightBasis = 'auto' | 'total' | 'ideal' | 'adjusted';

/** A plan request: the one input contract (KetaminePlanner.contract()).
 * Unknown keys at any level are refused, never ignored. */
export interface PlanRequest {
  /** A protocol id of the library, e.g. "walter-reed-outpatient". */
  protocol: string;
  patient: {
    /** Give weightKg or weightLb, not both. */
    weightKg?: number;
    weightLb?: number;
    heightCm?: number;
    sex?: 'female' | 'male';
    ageYears?: number;
    frail?: boolean;
  };
  weightBasis?: WeightBasis;
  concentrationMgPerMl?: number;
  pumpResolutionMlPerHour?: number;
  preparationVolumeMl?: number;
  /** Each key overrides the protocol's value; the plan's provenance says so. */
  dose?: {
    doseUnit?: DoseUnit;
    startDose?: number;
    stepDose?: number;
    maxDose?: number;
    sessionDoseMg?: number;
    sessionMinutes?: number;
    sessions?: number;
    schedule?: Schedule;
    observationMinutes?: number;
    rateMlPerHour?: number;
    volumeMl?: number;
    volumeMinutes?: number;
    stepEveryMinutes?: number;
    /** Target mode: the plasma level the rates reach and hold; replaces the dose. */
    targetNgPerMl?: number;
    /** Target mode: the PK model the rates are solved with (pkModels() ids); the model file's default when absent. */
    model?: string;
    /** Target mode: the first step's length, min; 15 when absent. */
    reachMinutes?: number;
  };
  /** Codes of the soft alerts the clinician acknowledged. */
  acknowledged?: string[];
  /** Ids of the ticked contraindications and cautions. */
  cautions?: string[];
  /** First session, local wall-clock time "YYYY-MM-DDTHH:MM". */
  start?: string;
  /** End of the previous course "YYYY-MM-DD" (re-treatment check). */
  previousCourseEnd?: string;
}

/** Thrown by plan(), simulate() and ics(): `field` names the input. */
export interface PlanError extends Error {
  field: string;
  code: string;
}

export interface Alert {
  level: 'hard' | 'soft' | 'info';
  code: string;
  message: string;
  acknowledged: boolean;
}

export interface Provenance {
  /** The contract field (or derived value) it is about, e.g. "dose". */
  value: string;
  source: Source;
  /** "Dose: 1.5 mg/kg/h, per protocol". */
  text: string;
}

export interface Level {
  dose: number;
  doseUnit: DoseUnit;
  intendedMgPerHour: number;
  mgPerHour: number | null;
  mgPerKgPerHour: number | null;
  mcgPerKgPerMin: number | null;
  /** null: refused by a hard limit (see `refused`). */
  mlPerHour: number | null;
  capped: boolean;
  capNote: string | null;
  refused: string | null;
  text: { dose: string; mgPerHour: string; mgPerKgPerHour: string; mcgPerKgPerMin: string; mlPerHour: string; /** Target mode: "15 min", when this step starts. */ from: string | null };
}

export interface Preparation {
  concentrationMgPerMl: number;
  finalVolumeMl: number;
  container: 'bag' | 'syringe';
  drugMg: number;
  vialMgPerMl: number;
  vialMl: number;
  diluentMl: number;
  diluent: string;
  /** What one container must hold: a session, or one day of a continuous infusion. */
  containerNeedMl: number;
  primingMl: number;
  containersPerSession: number;
  containersPerCourse: number;
  containersPerCourseAtMax: number;
  /** The recipe in words. */
  text: string;
  /** "1 bag of 250 mL per session; 10 for the course." */
  containersText: string;
  label: { drugMg: string; finalVolume: string; concentration: string };
}

export interface Session {
  index: number;
  weekday: string;
  arrival: string;
  start: string;
  end: string;
  dischargeEarliest: string;
  plannedMg: number;
  cumulativeMg: number;
  events: { at: string; kind: string; label: string }[];
  text: { date: string; dischargeDate: string; plannedMg: string; cumulativeMg: string };
}

export interface Plan {
  plannerVersion: string;
  libraryVersion: string;
  protocol: {
    id: string; name: string; drug: 'ketamine' | 'esketamine'; drugName: string; setting: string; summary: string;
    source: string; tag: string; premedication: string; adjuncts: string; monitoring: string; notes: string;
  };
  weights: { totalKg: number; idealKg: number | null; adjustedKg: number | null; dosingWeightKg: number; weightBasis: string; reason: string };
  dosingWeightKg: number;
  weightBasis: Exclude<WeightBasis, 'auto'>;
  weightBasisReason: string;
  concentrationMgPerMl: number;
  pumpResolutionMlPerHour: number;
  titration: string;
  levels: Level[];
  sessionMinutes: number;
  sessionCount: number;
  schedule: Schedule;
  observationMinutes: number;
  stepEveryMinutes: number | null;
  /** Target mode: the level the rates reach and hold; `starts` is each level's minute. */
  target: { ngPerMl: number; model: { id: string; name: string; source: string; tag: string; population: string }; reachMinutes: number; starts: number[]; maxDeviationPercent: number; text: string } | null;
  /** The pump settings on the session clock (one for a single rate or a ladder titrated by response). */
  rateChanges: { atMinute: number; mlPerHour: number | null; mgPerHour: number | null; label: string }[];
  totals: {
    sessionMg: number | null; sessionMl: number | null; courseMg: number | null; courseMl: number | null;
    sessionMgAtMax: number | null; courseMgAtMax: number | null; courseMlAtMax: number | null;
    text: Record<'sessionMg' | 'sessionMl' | 'courseMg' | 'courseMl' | 'sessionMgAtMax' | 'courseMgAtMax' | 'courseMlAtMax', string>;
  };
  preparation: Preparation | null;
  preparationRefused: string | null;
  alerts: Alert[];
  /** True when no hard limit applies and every soft alert is acknowledged. */
  confirmed: boolean;
  provenance: Provenance[];
  text: Record<'totalKg' | 'idealKg' | 'adjustedKg' | 'dosingWeightKg' | 'concentration' | 'sessionDuration' | 'observation' | 'sessions' | 'noDriving', string>;
  /** Present when the request has a `start`. */
  sessions?: Session[];
  courseEnd?: string;
  boosters?: unknown[];
  followUp?: { kind: string; from: string; to: string; source: string; tag: string; text: string }[];
  timelineSvg?: string;
}

/** planForm(): the calculator's text inputs, checked strictly (malformed numbers refused). */
export interface FormResult {
  fieldErrors: Record<string, string>;
  error: PlanError | { field: string; code: string; message: string } | null;
  plan: Plan | null;
  request: PlanRequest | null;
}

export interface SimulateOptions {
  model?: string;
  compare?: string[];
  resolutionMinutes?: number;
  horizonMinutes?: number;
  thresholdNgPerMl?: number;
  /** Also the effect-site curve where the model has a published ke0 (Domino: Navarrete 2025). */
  effectSite?: boolean;
}

export interface Simulation {
  model: unknown;
  thresholdNgPerMl: number;
  times: number[];
  concentrationsNgPerMl: number[];
  peak: unknown;
  sessions: unknown[];
  alerts: Alert[];
  compare: unknown[];
  notes: string[];
  svg: string;
  text: Record<string, string>;
  effectSite: { site: { ke0PerMin: number; source: string; population: string; tag: string }; concentrationsNgPerMl: number[] } | null;
}

export interface TargetPlan {
  targetNgPerMl: number;
  /** "150 ng/mL" */
  targetText: string;
  model: { id: string; name: string; source: string; tag: string; population: string };
  /** The first step lasts this long; then a change every 15 min at most. */
  reachMinutes: number;
  steps: { fromMinute: number; mlPerHour: number | null; mgPerHour: number | null; text: { from: string; mlPerHour: string; mgPerHour: string } }[];
  predicted: { times: number[]; concentrationsNgPerMl: number[] };
  maxDeviationPercent: number;
  alerts: Alert[];
  /** No hard limit, and every soft alert acknowledged in the request. */
  usable: boolean;
  svg: string;
}

/** A time ahead (or past) on the session clock. */
export interface ClockDue { at: string; inMinutes: number; /** "10:15 (in 4 min)" */ text: string }

export interface SessionClock {
  started: string;
  now: string;
  phase: 'infusion' | 'observation' | 'done';
  infusedMinutes: number;
  /** At the programmed rates; null when a rate used so far is refused. */
  deliveredMg: number | null;
  /** "24.5 mg/h = 24.5 mL/h"; null after the infusion. */
  rate: string | null;
  nextChange: ClockDue | null;
  nextVitals: ClockDue | null;
  infusionEnd: ClockDue;
  dischargeEarliest: ClockDue;
  /** `note`: a ladder titrated by response changes at the pump, not on the clock: its figures count the first level. */
  text: { elapsed: string; delivered: string; phase: string; note: string | null };
}

/** A course record file, schema "ketamine-planner/course-record@1" (README: Course record). */
export interface CourseRecord {
  schema: 'ketamine-planner/course-record@1';
  plannerVersion?: string;
  libraryVersion?: string;
  /** Free text such as a clinic number; only ever in the file. */
  patientLabel?: string;
  courses?: {
    request: PlanRequest;
    plannedMg?: number;
    sessions?: {
      date: string;
      start?: string;
      end?: string;
      rateChanges?: { time: string; mlPerHour: number }[];
      givenMg?: number;
      stoppedEarly?: boolean;
      stoppedWhy?: string;
      sideEffects?: ('dissociation' | 'nausea_vomiting' | 'hypertension' | 'sedation' | 'hallucinations' | 'other')[];
      vitals?: { time: string; systolic?: number; diastolic?: number; heartRate?: number; spo2?: number; sedation?: number }[];
    }[];
  }[];
  assessments?: { date: string; painNrs: number; painAreaPercent?: number; cssScore?: number; note?: string }[];
}

export interface CourseReview {
  schema: string;
  patientLabel: string | null;
  /** What differs from when the record was made (planner, library, planned totals). */
  notes: string[];
  assessments: {
    date: string; painNrs: number; painAreaPercent: number | null; cssScore: number | null;
    /** 1-based course the assessment follows; 0 before any course. */
    course: number;
    painReductionPercent: number | null; areaReductionPercent: number | null;
    category: 'baseline' | 'responder' | 'partial' | 'none' | 'before_course' | 'no_baseline';
    /** The reductions as shown ("50%", "" without a baseline). */
    text: { painReduction: string; areaReduction: string };
  }[];
  courses: { end: string; lastResponse: string | null; lastResponseDays: number | null; firstLost: string | null; firstLostDays: number | null }[];
  boosterDue: { from: string; to: string; basis: 'patient' | 'protocol'; text: string } | null;
  ledger: {
    courses: { protocol: string; start: string; end: string; plannedMg: number | null; givenMg: number | null; daysSincePrevious: number | null; text: { protocol: string; plannedMg: string; givenMg: string } }[];
    totalGivenMg: number;
    totalGivenText: string;
  };
  alerts: Alert[];
  /** The response chart as SVG text: pain and area over time, courses and sessions, the 50% lines, the booster window ("" with nothing dated). */
  chartSvg: string;
  /** The last course's request for the next one: its previous course's end filled in, no start. */
  nextRequest: PlanRequest | null;
}

export interface ContractField {
  path: string;
  kind: { type: 'number' | 'whole' | 'text' | 'flag' | 'codes' } | { type: 'choice'; words: string[] };
  label: string;
  unit: string;
  range: [number, number] | null;
  role: string;
}

/** Thrown by useLibrary(): every problem of the library at once, in `errors`;
 * the thrown one is the first. `path` is a JSON Pointer into the library file
 * ("/protocols/3/caps/0/mgPerHour", "" for the whole file). */
export interface LibraryError extends Error {
  name: 'LibraryError';
  path: string;
  /** "not_json", "required", "wrong_type", "unknown_field", "duplicate_id", "soft_not_below_hard", "contradiction", "default_hits_hard_limit", ... */
  code: string;
  errors: LibraryError[];
}

/** What useLibrary() answers: the library now in use. */
export interface LoadedLibrary {
  version: string;
  /** SHA-256 (hex): of the exact UTF-8 text given, or of the library as the core writes it (an object given). */
  sha256: string;
  sha256Of: 'text' | 'canonical';
  /** Protocol ids, in the library's order. */
  protocols: string[];
}

export interface KetaminePlannerApi {
  /** Resolves once the engine runs; every other call throws before. */
  ready: Promise<KetaminePlannerApi>;
  readonly version: string;
  /** SHA-256 (hex) of the library in use (see LoadedLibrary.sha256); its first 8 characters are on the header and every sheet. */
  readonly librarySha256: string;
  /** Reads, checks and uses a protocol library (its JSON text, or the parsed object); throws a LibraryError listing every problem and keeps the library in use. Elements on the page rebuild on it. */
  useLibrary(library: string | object): LoadedLibrary;
  library(): { version: string; about: unknown; drugs: unknown[]; containers: unknown[]; cautions: unknown[]; cautionsSource: string; discharge: unknown; protocols: unknown[] };
  plan(request: PlanRequest): Plan;
  planForm(form: Record<string, string | boolean | string[]>): FormResult;
  contract(): ContractField[];
  simulate(request: PlanRequest & SimulateOptions, options?: SimulateOptions): Simulation;
  /** A request in target mode: the manual scheme of rates that reaches targetNgPerMl by reachMinutes and holds it, as the plan's levels. The target keys go in `dose` or beside the request. */
  solveTarget(request: PlanRequest & { targetNgPerMl?: number; model?: string; reachMinutes?: number }): TargetPlan;
  /** An RFC 5545 calendar of the course; dtstampUtc "YYYYMMDDTHHMMSSZ". */
  ics(request: PlanRequest, dtstampUtc: string): string;
  /** Where the session stands at `now`, its infusion started at `startedAt` (local "YYYY-MM-DDTHH:MM", from the page's clock). */
  sessionClock(request: PlanRequest, startedAt: string, now: string): SessionClock;
  pkModels(): unknown[];
  /** The review of a course record; a record that does not read throws a PlanError whose field is the JSON Pointer of its first problem ("/assessments/1/painNrs"), all of them in `errors`. */
  review(record: CourseRecord): CourseReview;
  /** A number as typed, by the planner's strict entry rule (no comma, no exponent, a leading zero); else a PlanError naming `field`. */
  parseDecimal(text: string, field?: string): number;
  /** Runs the rate cases and PK reference vectors shipped in the file (and `extraCases`, rate cases in the same shape) through this engine. */
  selfTest(extraCases?: SelfTestCase[]): SelfTestResult;
}

/** A rate case as in data/reference-cases.json: each `expect` key is a path into the plan ("levels.0.mlPerHour"). */
export interface SelfTestCase {
  name: string;
  request: PlanRequest;
  expect: Record<string, number | string | boolean | null>;
}

export interface SelfTestResult {
  passed: number;
  failed: number;
  /** Shipped cases (rate and PK) not run: they plan the built-in library's protocols, and a clinic's is in use (its own `tests` run instead). */
  skipped: number;
  cases: {
    kind: 'rate' | 'pk' | 'library';
    name: string;
    passed: boolean;
    /** The engine's refusal, or why the case is not a case; "" otherwise. */
    error: string;
    /** Each value: a plan path (rate) or "240 min" (pk, ng/mL), with the value found and the reference. */
    checks: { path: string; expected: unknown; actual: unknown; passed: boolean }[];
  }[];
}

/** <ketamine-planner>. Attributes are reflected to these properties. */
export interface KetaminePlannerElement extends HTMLElement {
  /** The current plan; null while the inputs are incomplete or invalid. */
  readonly plan: Plan | null;
  protocol: string | null;
  concentration: string | null;
  /** weight-unit: "kg" or "lb". */
  weightUnit: string | null;
  /** pump-resolution in mL/h. */
  pumpResolution: string | null;
  /** "light", "dark", else the page's prefers-color-scheme. */
  theme: string | null;
  /** heading-level: "1" when the element is the page, else its title is an h2. */
  headingLevel: string | null;
  /** library: "#id" of an inline <script type="application/json">, or a same-origin URL (fetched once); nothing is planned until it loads. */
  library: string | null;
  /** A link to the current inputs (URL fragment: planner version, library version and hash,
   * the rate they gave; never acknowledgements). Opening it restores them. */
  readonly permalink: string;
  /** Prints the bedside sheet, the patient handout, the bag or syringe label or the session monitoring record. */
  print(mode: 'sheet' | 'handout' | 'label' | 'monitoring'): void;
}

declare global {
  interface Window { KetaminePlanner: KetaminePlannerApi }
  var KetaminePlanner: KetaminePlannerApi;
  interface HTMLElementTagNameMap { 'ketamine-planner': KetaminePlannerElement }
  interface HTMLElementEventMap {
    /** Bubbles and is composed; detail is the new plan or null. */
    'plan-change': CustomEvent<Plan | null>;
    'planner-ready': CustomEvent<void>;
    /** The engine or the element's library did not load; detail has `message` and `problems` ({ path, message }[]). */
    'planner-error': CustomEvent<Error & { problems?: { path: string; message: string }[] }>;
  }
}
