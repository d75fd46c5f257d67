/** A JSON Schema document or subschema: an object of keywords, or `true` / `false`. */
export type JsonSchema = boolean | { readonly [keyword: string]: unknown };

/**
 * The compatibility modes of Confluent Schema Registry.
 * `BACKWARD`: a reader using the new schema can read data written with the old one.
 * `FORWARD`: a reader using the old schema can read data written with the new one. `FULL`: both.
 * `_TRANSITIVE`: checked against every earlier version, not only the previous one. `NONE`: no check.
 */
export const COMPATIBILITY_MODES = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;

/** One of {@link COMPATIBILITY_MODES}. */
export type CompatibilityMode = (typeof COMPATIBILITY_MODES)[number];

/**
 * Stable codes of the compatibility rules. A code names the change as seen from the schema the data was
 * written with to the schema of the reader: for a `forward` issue the writer is the NEW schema and the reader
 * the OLD one (so adding a property to a closed schema shows as `PROPERTY_REMOVED_FROM_CLOSED` in the forward
 * direction). The message of every issue says it in plain words. See docs/compatibility.md.
 */
export const COMPATIBILITY_RULES = [
  'TYPE_CHANGED',
  'TYPE_NARROWED',
  'ENUM_NARROWED',
  'CONST_CHANGED',
  'MIN_LENGTH_INCREASED',
  'MAX_LENGTH_DECREASED',
  'PATTERN_CHANGED',
  'FORMAT_CHANGED',
  'MINIMUM_INCREASED',
  'MAXIMUM_DECREASED',
  'MULTIPLE_OF_CHANGED',
  'PROPERTY_ADDED_TO_OPEN',
  'PROPERTY_REMOVED_FROM_CLOSED',
  'ADDITIONAL_PROPERTIES_NARROWED',
  'REQUIRED_ADDED_WITHOUT_DEFAULT',
  'MIN_PROPERTIES_INCREASED',
  'MAX_PROPERTIES_DECREASED',
  'PROPERTY_NAMES_NARROWED',
  'DEPENDENCY_ADDED',
  'ADDITIONAL_ITEMS_NARROWED',
  'MIN_ITEMS_INCREASED',
  'MAX_ITEMS_DECREASED',
  'UNIQUE_ITEMS_ADDED',
  'VARIANT_REMOVED',
  'ONE_OF_AMBIGUOUS',
  'SCHEMA_FALSE',
  'UNRESOLVED_REF',
  'UNSUPPORTED_CHANGE',
] as const;

/** One of {@link COMPATIBILITY_RULES}. */
export type CompatibilityRule = (typeof COMPATIBILITY_RULES)[number];

/** Which guarantee a change breaks: `backward` (new reader, old data) or `forward` (old reader, new data). */
export type CompatibilityDirection = 'backward' | 'forward';

/** One incompatible (or undecidable) change. */
export interface CompatibilityIssue {
  /** The rule broken. */
  code: CompatibilityRule;
  /** The guarantee it breaks. */
  direction: CompatibilityDirection;
  /** JSON Pointer (URI fragment form) of the schema location, e.g. `#/properties/operationInfo/properties/operation/enum`. */
  path: string;
  /** Which schema {@link path} points into. */
  schema: 'old' | 'new';
  /** Where in the data the change bites, as a JSON Pointer; `*` stands for any array item or property name. */
  instancePath: string;
  /** What breaks, for a person. */
  message: string;
}

/** Options of {@link checkCompatibility} and {@link checkSchemaHistory}. */
export interface CompatibilityOptions {
  /**
   * Check readers the way the SDK's lenient mode validates events of a newer minor version: the READER schema
   * with every `additionalProperties: false` removed, so unknown properties are ignored (writers stay strict).
   * Default false: schemas are compared as written, like Confluent Schema Registry.
   */
  lenientReaders?: boolean;
}

/** The verdict for one pair of schemas. */
export interface CompatibilityResult {
  /** True when no issue was found. */
  compatible: boolean;
  /** Every issue found (empty when compatible). */
  issues: CompatibilityIssue[];
}

/** A {@link CompatibilityIssue} found while checking a history, with the two versions compared. */
export interface HistoryCompatibilityIssue extends CompatibilityIssue {
  /** Index (into the versions given, oldest first) of the earlier version of the pair. */
  previousIndex: number;
  /** Index of the later version of the pair. */
  nextIndex: number;
}

/** One pair of versions checked by {@link checkSchemaHistory}. */
export interface CheckedPair {
  /** Index of the earlier version. */
  previousIndex: number;
  /** Index of the later version. */
  nextIndex: number;
  /** Whether this pair passed. */
  compatible: boolean;
}

/** The verdict for a whole history of versions. */
export interface HistoryCompatibilityResult {
  /** True when every checked pair is compatible. */
  compatible: boolean;
  /** Every issue of every pair. */
  issues: HistoryCompatibilityIssue[];
  /** The pairs checked, in order (empty for `NONE` or a single version). */
  pairs: CheckedPair[];
}
