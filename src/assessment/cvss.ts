/**
 * CVSS scores from a vector string, computed by {metæffekt}'s `ae-cvss-calculator` (Apache-2.0; every
 * FIRST version, maintained), checked in the tests against Red Hat's reference vectors in the corpus.
 */
import calculator from 'ae-cvss-calculator';

export type CvssVersion = '3.0' | '3.1' | '4.0';

export interface CvssScore {
  version: CvssVersion;
  /**
   * v3: the base score. v4: the score of the vector as given (CVSS-B, -BT, -BE or -BTE: v4.0 has one score,
   * computed from every metric present). 0.0..10.0.
   */
  baseScore: number;
  /** The qualitative rating of the score (FIRST): none, low, medium, high, critical. */
  severity: 'none' | 'low' | 'medium' | 'high' | 'critical';
  /** v3 only: the temporal and environmental scores where the vector carries those metrics. */
  temporal?: number;
  environmental?: number;
}

interface Scores {
  base?: number;
  overall?: number;
  temporal?: number;
  environmental?: number;
}

interface VectorClass {
  new (vector: string): { calculateScores(normalize?: boolean): Scores };
}

const classes = calculator as unknown as Record<'Cvss3P0' | 'Cvss3P1' | 'Cvss4P0', VectorClass>;

const prefixes: readonly [string, CvssVersion, VectorClass][] = [
  ['CVSS:3.0/', '3.0', classes.Cvss3P0],
  ['CVSS:3.1/', '3.1', classes.Cvss3P1],
  ['CVSS:4.0/', '4.0', classes.Cvss4P0],
];

/** FIRST's qualitative severity rating scale (the same bands in v3.x and v4.0). */
export function cvssSeverity(score: number): CvssScore['severity'] {
  if (score === 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

/**
 * The score of a CVSS v3.0, v3.1 or v4.0 vector, or undefined for text that is none (an unknown version, a
 * missing mandatory metric, a value a metric does not have). Never throws: vectors come from reporters.
 */
export function scoreCvss(vector: string): CvssScore | undefined {
  const text = vector.trim();
  const entry = prefixes.find(([prefix]) => text.toUpperCase().startsWith(prefix));
  if (entry === undefined || !/^CVSS:\d\.\d(\/[A-Za-z]+:[A-Za-z]+)+$/.test(text)) return undefined;
  const [, version, Vector] = entry;
  let scores: Scores;
  try {
    scores = new Vector(text).calculateScores();
  } catch {
    return undefined;
  }
  const score = version === '4.0' ? (scores.overall ?? scores.base) : scores.base;
  if (score === undefined || !Number.isFinite(score) || !hasMandatoryMetrics(text, version)) return undefined;
  return {
    version,
    baseScore: score,
    severity: cvssSeverity(score),
    ...(scores.temporal === undefined ? {} : { temporal: scores.temporal }),
    ...(scores.environmental === undefined ? {} : { environmental: scores.environmental }),
  };
}

const mandatory: Record<CvssVersion, readonly string[]> = {
  '3.0': ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'],
  '3.1': ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'],
  '4.0': ['AV', 'AC', 'AT', 'PR', 'UI', 'VC', 'VI', 'VA', 'SC', 'SI', 'SA'],
};

/** The calculator fills missing base metrics with defaults; a vector without them is no vector. */
function hasMandatoryMetrics(vector: string, version: CvssVersion): boolean {
  const metrics = new Set(
    vector
      .split('/')
      .slice(1)
      .map((part) => part.split(':')[0]?.toUpperCase()),
  );
  return mandatory[version].every((m) => metrics.has(m));
}
