/**
 * The promotion gate: only a release whose exact digests passed its integration tests may
 * go live (and, where the group asks, passed in other groups first). Pure: the engine
 * hands in the records; `force` with a reason overrides the verification checks, never
 * readiness (that is checked against the cluster, not here).
 */
import type { FailureKind } from './errors.ts';
import { digestsOf, type ReleaseRecord } from './release.ts';

export interface RequiredGroupRecords {
  group: string;
  /** The services that group deploys: only services both groups share are checked. */
  services: readonly string[];
  records: readonly ReleaseRecord[];
}

export interface GateInput {
  release: ReleaseRecord;
  requireVerifiedIn: readonly RequiredGroupRecords[];
  force?: { reason: string } | undefined;
}

export type GateVerdict =
  | { allowed: true; forced: boolean; refusals: GateRefusal[] }
  | { allowed: false; refusals: GateRefusal[] };

export interface GateRefusal {
  kind: FailureKind;
  reason: string;
}

export function checkPromotionGate(input: GateInput): GateVerdict {
  const refusals = [verificationRefusal(input.release), ...requiredGroupRefusals(input)].filter(
    (refusal): refusal is GateRefusal => refusal !== undefined,
  );
  if (refusals.length === 0) return { allowed: true, forced: false, refusals };
  if (input.force) return { allowed: true, forced: true, refusals };
  return { allowed: false, refusals };
}

function verificationRefusal(release: ReleaseRecord): GateRefusal | undefined {
  const verification = release.verification;
  if (!verification) {
    return {
      kind: 'not-verified',
      reason: `release ${release.id} has not been tested (phase ${release.phase})`,
    };
  }
  if (!verification.passed) {
    const failed = verification.failures + verification.errors;
    return {
      kind: 'not-verified',
      reason: `release ${release.id} failed its tests (${failed} of ${verification.tests} failed)`,
    };
  }
  const mismatched = mismatchedServices(digestsOf(release), verification.digests);
  if (mismatched.length > 0) {
    return {
      kind: 'verification-mismatch',
      reason: `the passing tests of release ${release.id} ran against other digests for ${mismatched.join(', ')}`,
    };
  }
  return undefined;
}

function mismatchedServices(wanted: Record<string, string>, tested: Record<string, string>): string[] {
  const services = new Set([...Object.keys(wanted), ...Object.keys(tested)]);
  return [...services].filter((service) => wanted[service] !== tested[service]).sort();
}

function requiredGroupRefusals(input: GateInput): GateRefusal[] {
  const digests = digestsOf(input.release);
  return input.requireVerifiedIn.flatMap((required) => {
    const shared = required.services.filter((service) => digests[service] !== undefined);
    const unverified = shared.filter(
      (service) => !required.records.some((record) => passedWith(record, service, digests[service] ?? '')),
    );
    if (unverified.length === 0) return [];
    const list = unverified
      .map((service) => `${service}@${(digests[service] ?? '').slice(0, 19)}`)
      .join(', ');
    return [
      {
        kind: 'not-verified-in-group' as const,
        reason: `promotion.requireVerifiedIn: ${list} has not passed in group ${required.group}`,
      },
    ];
  });
}

function passedWith(record: ReleaseRecord, service: string, digest: string): boolean {
  const verification = record.verification;
  return verification?.passed === true && verification.digests[service] === digest;
}
