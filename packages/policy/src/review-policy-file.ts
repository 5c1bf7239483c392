import { dirname, resolve } from 'node:path';
import { defaultConfigDir } from './config-dir.js';
import { type PolicyFile, policyFromFile, readPolicyFile } from './load-policy.js';
import { planPins } from './pin-plan.js';
import type { ProviderReferenceMap } from './policy.js';
import { PolicyError } from './policy-error.js';
import { isInsideRealDir } from './real-containment.js';
import { type PolicyReview, reviewPolicy } from './review-policy.js';
import { readTrustRecord } from './trust-store.js';

/** Options of {@link reviewPolicyFile}. */
export interface ReviewPolicyFileOptions {
  /** Where the trust store lives. @default defaultConfigDir() */
  configDir?: string;
  /** What each provider declares about its references, by name. @default {} */
  providers?: ProviderReferenceMap;
  /** More reference schemes claimed without a declared syntax. @default [] */
  schemes?: readonly string[];
}

/**
 * Reads the policy at `policyPath` once, plans its pins and reads the text
 * last trusted from the store, and returns {@link reviewPolicy}'s review
 * with the diff against it (none when it was never trusted, or trusted by
 * a version that kept no text). This is what `ironrun trust` shows before it
 * asks, and what it should pass to `trust()` only after the person agreed.
 *
 * @example
 * const review = await reviewPolicyFile('ironrun.yml');
 * for (const line of review.diff ?? []) console.log(line.op, line.line.text);
 */
export async function reviewPolicyFile(
  policyPath: string | PolicyFile,
  options: ReviewPolicyFileOptions = {},
): Promise<PolicyReview> {
  const file = typeof policyPath === 'string' ? await readPolicyFile(policyPath) : policyPath;
  const references = {
    ...(options.providers === undefined ? {} : { providers: options.providers }),
    ...(options.schemes === undefined ? {} : { schemes: options.schemes }),
  };
  const policy = policyFromFile(file, references);
  const configDir = resolve(options.configDir ?? defaultConfigDir());
  if (await isInsideRealDir(dirname(file.realPath), configDir)) {
    throw new PolicyError(
      'TRUST_STORE',
      `the trust store ${configDir} lies inside the project, where an agent could write it; use a folder outside the repository`,
    );
  }
  const record = await readTrustRecord(configDir, file.realPath);
  const plan = await planPins(policy);
  return reviewPolicy(policy, {
    plan,
    currentText: file.text,
    ...references,
    ...(record?.policyText === undefined ? {} : { trustedText: record.policyText }),
  });
}
