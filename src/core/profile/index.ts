// Profiles (CrowdSec's profiles.yaml): load them, then turn an alert into decisions.
export type { DecideOptions, DecisionResult } from "./decide";
export { alertPerSource, decide } from "./decide";
export type { DecisionTemplate } from "./decision-template";
export { KNOWN_DECISION_TYPES, normalizeScope } from "./decision-template";
export type { CompiledProfile, LoadProfilesOptions } from "./load";
export { loadProfiles } from "./load";
