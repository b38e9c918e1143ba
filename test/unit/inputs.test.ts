import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/core/duration.ts';
import { readGroupInputs } from '../../src/runner/group-inputs.ts';
import {
  booleanInput,
  choiceInput,
  durationInput,
  listInput,
  mapInputSource,
  requiredInput,
  withoutActionInputs,
} from '../../src/runner/inputs.ts';

describe('action inputs', () => {
  it('reads required inputs and names a missing one', () => {
    const source = mapInputSource({ group: '  master  ' });
    expect(requiredInput(source, 'group')).toBe('master');
    expect(() => requiredInput(source, 'operation')).toThrow('Input required and not supplied: operation');
  });

  it.each([
    ['true', true],
    ['False', false],
    ['', true],
  ])('reads boolean %j', (value, expected) => {
    expect(booleanInput(mapInputSource({ push: value }), 'push', true)).toBe(expected);
  });

  it('rejects booleans outside the YAML 1.2 core set', () => {
    expect(() => booleanInput(mapInputSource({ push: 'yes' }), 'push', true)).toThrow(
      'Input "push": expected true or false, got "yes"',
    );
  });

  it('reads a choice with a fallback and rejects others', () => {
    expect(choiceInput(mapInputSource({}), 'mode', ['job', 'command'] as const, 'job')).toBe('job');
    expect(() => choiceInput(mapInputSource({ mode: 'pod' }), 'mode', ['job', 'command'] as const)).toThrow(
      'Input "mode": expected one of job, command, got "pod"',
    );
  });

  it('splits lists by line, or by comma on one line, dropping blanks and comments', () => {
    expect(listInput(mapInputSource({ tags: 'a, b,,c' }), 'tags')).toEqual(['a', 'b', 'c']);
    expect(listInput(mapInputSource({ args: 'A=1,2\n# note\n\nB=3' }), 'args')).toEqual(['A=1,2', 'B=3']);
    expect(listInput(mapInputSource({}), 'tags')).toEqual([]);
  });

  it('reads durations in every unit', () => {
    expect(durationInput(mapInputSource({ timeout: '90s' }), 'timeout', '1m')).toBe(90_000);
    expect(durationInput(mapInputSource({}), 'timeout', '2h')).toBe(7_200_000);
  });

  it.each(['master', 'groups/master.yaml', 'team.a/login-feature.yml'])(
    'accepts group reference %s',
    (group) => {
      expect(readGroupInputs(mapInputSource({ group })).group).toBe(group);
    },
  );

  it.each(['../secrets', '-rf', 'a b', '$(id)', 'groups/../../etc'])(
    'rejects group reference %j',
    (group) => {
      expect(() => readGroupInputs(mapInputSource({ group }))).toThrow(
        /^Input "group": expected a group name/,
      );
    },
  );
});

describe('the environment of a command an action runs', () => {
  it('keeps the job environment and drops every action input, the github-token among them', () => {
    const env = {
      PATH: '/usr/bin',
      GITHUB_TOKEN: 'the step gave it on purpose',
      'INPUT_GITHUB-TOKEN': 'ghs_secret',
      INPUT_GROUP: 'team',
      input_lower: 'x',
      MY_INPUT_DIR: '/kept',
    };
    expect(withoutActionInputs(env)).toEqual({
      PATH: '/usr/bin',
      GITHUB_TOKEN: 'the step gave it on purpose',
      MY_INPUT_DIR: '/kept',
    });
    expect(env['INPUT_GITHUB-TOKEN']).toBe('ghs_secret'); // the job's own map is left as it was
  });
});

describe('durations', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['45', 45_000],
  ])('parses %s', (text, ms) => {
    expect(parseDuration(text, 'x')).toBe(ms);
  });

  it.each(['', '10 minutes', '-5s', '1.5m', 'm'])('rejects %j', (text) => {
    expect(() => parseDuration(text, 'groups/a.yaml:3:12 integration.timeout')).toThrow(
      `groups/a.yaml:3:12 integration.timeout: expected a duration like 30s, 10m or 1h, got "${text}"`,
    );
  });

  it.each([250, 30_000, 600_000, 5_400_000, 3_600_000])('formats %d ms so that it parses back', (ms) => {
    expect(parseDuration(formatDuration(ms), 'x')).toBe(ms);
  });
});
