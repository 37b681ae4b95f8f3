export type {
  Event,
  FieldValue,
  FieldType,
  FieldSpec,
  JsonValue,
  SanitisedValue,
  SanitiseResult,
} from './types.ts';
export { eventFields, fieldSpec, isExtraField, isKnownField } from './fields.ts';
export { sanitiseField, sanitiseValue } from './sanitise.ts';
export {
  legacyClassificationTypes,
  normaliseClassificationTaxonomy,
  normaliseClassificationType,
  rsitTaxonomies,
  taxonomyOfType,
} from './taxonomy.ts';
export { isWiderThan, narrowestTlp, parseTlp, tlpLabel, tlpLevels, toIntelmqTlp, type Tlp } from './tlp.ts';
export {
  canonicalBody,
  canonicalMember,
  eventId,
  idDigestOfCanonical,
  idOfCanonical,
  type CanonicalBody,
} from './event-id.ts';
export { buildEvent, completeClassification, type BuildEventResult } from './build.ts';
export { findingOf } from './finding.ts';
