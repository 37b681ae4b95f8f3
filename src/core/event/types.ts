/**
 * The Event: one fact about one system, in IntelMQ Data Format (IDF) field names with flat dotted keys
 * (`source.ip`, `classification.type`, `extra.tag`). Values are JSON scalars; `extra.*` keys may hold any
 * JSON value, as IntelMQ's `extra` dictionary flattened. The `raw` field is not kept in the object: parsers
 * return the original text beside the event (see `ParsedEvent`), and IntelMQ export encodes it.
 */
export type FieldValue = string | number | boolean;
export type Event = Record<string, unknown>;

/** Types of IDF fields, named as in IntelMQ's harmonization.conf, plus Tocsin's IntelMQ 3.5 additions. */
export type FieldType =
  | 'String'
  | 'LowercaseString'
  | 'UppercaseString'
  | 'IPAddress'
  | 'IPNetwork'
  | 'Integer'
  | 'Float'
  | 'Boolean'
  | 'ASN'
  | 'DateTime'
  | 'FQDN'
  | 'URL'
  | 'Base64'
  | 'ClassificationTaxonomy'
  | 'ClassificationType'
  | 'TLP'
  | 'Registry'
  | 'Accuracy'
  | 'JSONDict'
  | 'JSON'
  | 'Severity';

export interface FieldSpec {
  name: string;
  type: FieldType;
  description: string;
  /** Longest accepted value (characters), where IntelMQ sets one. */
  length?: number;
  /** Pattern the sanitised value must match, where IntelMQ sets one. */
  pattern?: RegExp;
  /** What a value matching `pattern` looks like, in words, for rejection reasons. */
  form?: string;
  /** Smallest and largest accepted number, for numeric fields with a natural range (ports). */
  range?: readonly [min: number, max: number];
}

/** A JSON value, as an `extra.*` field may hold one. */
export type JsonValue = FieldValue | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** A sanitised field value: a scalar, or for `extra.*` also a JSON array or object (never `null`). */
export type SanitisedValue = FieldValue | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** The result of sanitising one value: the clean value, `undefined` for "absent" ("", "-", "N/A"), or why not. */
export type SanitiseResult = { ok: true; value: SanitisedValue | undefined } | { ok: false; reason: string };
