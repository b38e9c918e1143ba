/**
 * Pod annotations understood by the local stack's kwok stages
 * (test/stack/kwok/stages.yaml). Tests put them on pod templates to choose how
 * the fake kubelet behaves; see test/stack/README.md.
 */

/** How the pod's containers behave: one of {@link PodBehavior}. Default `ready`. */
export const BEHAVIOR_ANNOTATION = 'greenlight.test/behavior';

/** Delay before the pod starts (and, for `ready`, becomes Ready): a Go duration such as `500ms` or `5s`. Default 1s. */
export const READY_DELAY_ANNOTATION = 'greenlight.test/ready-delay';

/** For pods owned by a Job: the exit code the containers finish with. Default `0` (Succeeded); anything else fails the pod. */
export const EXIT_CODE_ANNOTATION = 'greenlight.test/exit-code';

/** For pods owned by a Job: how long the containers run before they exit, a Go duration. Default 1s. */
export const RUN_DURATION_ANNOTATION = 'greenlight.test/run-duration';

export const PodBehavior = {
  /** Running and Ready after the ready delay (the default). */
  ready: 'ready',
  /** Running, but the readiness probe never passes: Ready=False, reason ContainersNotReady, a `Unhealthy` event. */
  neverReady: 'never-ready',
  /** The container keeps exiting with code 1: waiting in CrashLoopBackOff, restartCount growing to 3. */
  crashLoop: 'crashloop',
} as const;
export type PodBehavior = (typeof PodBehavior)[keyof typeof PodBehavior];

/**
 * An image whose last path element is `never-ready` or `crashloop` (any registry,
 * any tag, e.g. `127.0.0.1:5000/team/crashloop:v2`) behaves as that annotation
 * would, unless the pod's annotation says otherwise.
 */
export const BEHAVIOR_IMAGE_NAMES: readonly PodBehavior[] = [PodBehavior.neverReady, PodBehavior.crashLoop];

/** Name of the fake Node the stack creates and kwok keeps Ready. */
export const KWOK_NODE_NAME = 'kwok-node-0';

/** Annotation kwok selects its nodes by (the stack's Node carries it). */
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

/** Restart count at which a crash-looping pod stops being updated. */
export const CRASHLOOP_MAX_RESTARTS = 3;
