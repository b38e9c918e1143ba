/** Error wording of the Kubernetes chokepoint: what was attempted, the API's own reason, the status, and what to do. */
import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { describeError } from '../../src/core/errors.ts';
import { KubeError, toKubeError } from '../../src/kube/client.ts';

const status = (code: number, message: string) =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, code });

describe('toKubeError', () => {
  it.each([
    [
      403,
      status(403, 'deployments.apps is forbidden: User "u" cannot list resource "deployments"'),
      'could not list the Deployments in team: deployments.apps is forbidden: User "u" cannot list resource "deployments" (HTTP 403)\n' +
        '  hint: bind the greenlight-deployer Role of terraform/rbac/ in the namespace to the deploy identity; the message names the missing verb and resource',
    ],
    [
      401,
      undefined,
      'could not list the Deployments in team: Unauthorized (HTTP 401)\n' +
        '  hint: the credentials of the kubeconfig were refused; refresh them (aws eks update-kubeconfig)',
    ],
    [
      409,
      status(409, 'Operation cannot be fulfilled: the object has been modified'),
      'could not list the Deployments in team: Operation cannot be fulfilled: the object has been modified (HTTP 409)',
    ],
    [
      500,
      'plain text from a proxy',
      'could not list the Deployments in team: plain text from a proxy (HTTP 500)',
    ],
  ])('HTTP %i', (code, body, expected) => {
    const message = body === undefined ? 'Unauthorized' : 'Unknown API Status Code!';
    const error = toKubeError(
      new ApiException(code, message, body, {}),
      'list the Deployments in team',
      'https://k:6443',
    );
    expect(error).toBeInstanceOf(KubeError);
    expect(error.code).toBe(code);
    expect(describeError(error)).toBe(expected);
  });

  it('a connection failure names the server and has no status', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });
    const error = toKubeError(
      new TypeError('fetch failed', { cause }),
      'read namespace team',
      'https://127.0.0.1:6443',
    );
    expect(error.code).toBeUndefined();
    expect(error.message).toBe(
      'could not read namespace team: the API server https://127.0.0.1:6443 did not answer (connect ECONNREFUSED 127.0.0.1:6443)',
    );
  });
});
