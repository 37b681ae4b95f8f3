/**
 * A proposal for a source's reliability from its track record (docs/assessment.md, "Proposing a source's
 * reliability"). A proposal only: an analyst changes the profile, with a reason that is recorded.
 */
import type { Reliability } from './model.ts';

export interface TrackRecord {
  /** Reports an analyst or a later observation confirmed. */
  confirmed: number;
  /** Reports an owner or analyst disputed (the finding did not hold). */
  disputed: number;
  /** Reports that were false positives (a sinkhole, a scanner, a test). */
  falsePositive: number;
}

export interface ReliabilityProposal {
  /** F while the sample is too small to judge. */
  reliability: Reliability;
  /** Reports with an outcome: confirmed + disputed + false positive. */
  judged: number;
  /** confirmed / judged, or null with no judged reports. */
  confirmedShare: number | null;
  /** (disputed + falsePositive) / judged, or null with no judged reports. */
  wrongShare: number | null;
  basis: string;
}

/** Below this many judged reports a source cannot be judged (F). */
export const minimumSample = 20;

/**
 * The letter for a share of confirmed reports, with a false-positive penalty: a false positive costs twice
 * what a dispute costs, since it wastes an owner's work and says the source does not check its findings.
 * score = (confirmed - disputed - 2 * falsePositive) / judged; A >= 0.95, B >= 0.80, C >= 0.60, D >= 0.30,
 * otherwise E. A needs at least 100 judged reports: "completely reliable" takes a long history.
 */
const bands: readonly [number, Reliability][] = [
  [0.95, 'A'],
  [0.8, 'B'],
  [0.6, 'C'],
  [0.3, 'D'],
];

export const minimumSampleForA = 100;

function count(n: number, name: string): number {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`${name}: expected a count (a whole number >= 0), got ${n}`);
  return n;
}

export function proposeReliability(track: TrackRecord): ReliabilityProposal {
  const confirmed = count(track.confirmed, 'confirmed');
  const disputed = count(track.disputed, 'disputed');
  const falsePositive = count(track.falsePositive, 'falsePositive');
  const judged = confirmed + disputed + falsePositive;
  const confirmedShare = judged === 0 ? null : confirmed / judged;
  const wrongShare = judged === 0 ? null : (disputed + falsePositive) / judged;
  if (judged < minimumSample) {
    return {
      reliability: 'F',
      judged,
      confirmedShare,
      wrongShare,
      basis: `${judged} judged reports, fewer than the ${minimumSample} needed to judge the source`,
    };
  }
  const score = (confirmed - disputed - 2 * falsePositive) / judged;
  let reliability: Reliability = bands.find(([min]) => score >= min)?.[1] ?? 'E';
  if (reliability === 'A' && judged < minimumSampleForA) reliability = 'B';
  return {
    reliability,
    judged,
    confirmedShare,
    wrongShare,
    basis:
      `score (confirmed - disputed - 2 x false positive) / judged = ` +
      `(${confirmed} - ${disputed} - 2 x ${falsePositive}) / ${judged} = ${score.toFixed(3)}` +
      (reliability === 'B' && score >= 0.95 ? `; A needs at least ${minimumSampleForA} judged reports` : ''),
  };
}
