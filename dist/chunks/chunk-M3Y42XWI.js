import { createRequire as __greenlightRequire } from 'node:module';
const require = __greenlightRequire(import.meta.url);
import {
  JUnitError,
  renderJobSummary,
  tryParseJUnit
} from "./chunk-KPV6YZKB.js";
import {
  requireStandbyReady,
  resolveImageReference,
  standbyRelease
} from "./chunk-I2BOCA7Y.js";
import {
  catalogServices,
  changeRecord,
  digestsOf,
  guardJobs,
  nowIso,
  readGroupView,
  standbyReleaseId,
  withGroupLock
} from "./chunk-M7YEDHSS.js";
import {
  colorServiceName,
  inClusterUrl
} from "./chunk-A7DPAKFH.js";
import {
  parseDuration
} from "./chunk-KUEXGX5L.js";
import {
  serviceUrlEnvName
} from "./chunk-R6Y2HZ7J.js";
import {
  EngineError,
  InputError
} from "./chunk-L2HEXJUQ.js";
import {
  __commonJS,
  __toESM
} from "./chunk-KSZB5HZC.js";

// node_modules/shell-quote/quote.js
var require_quote = __commonJS({
  "node_modules/shell-quote/quote.js"(exports, module) {
    "use strict";
    var OPS = (
      /** @type {const} */
      [
        "||",
        "&&",
        ";;&",
        ";;",
        ";&",
        "|&",
        "<(",
        ">(",
        "<<<",
        "<<-",
        "<<",
        ">>",
        ">&",
        ">|",
        "&>>",
        "&>",
        "<&",
        "<>",
        "&",
        ";",
        "(",
        ")",
        "|",
        "<",
        ">"
      ]
    );
    var LINE_TERMINATORS = /[\n\r\u2028\u2029]/;
    var GLOB_SHELL_SPECIAL = /[\s#!"$&'():;<=>@\\^`|~]/g;
    module.exports = function quote(xs) {
      var sawComment = false;
      return xs.map(function(s) {
        if (sawComment && typeof s === "string" && LINE_TERMINATORS.test(s)) {
          throw new TypeError("a token after a `comment` must not contain line terminators");
        }
        if (s === "") {
          return (
            /** @type {const} */
            "''"
          );
        }
        if (s && typeof s === "object") {
          if ("op" in s && s.op === "glob") {
            if (typeof s.pattern !== "string") {
              throw new TypeError("glob token requires a string `pattern`");
            }
            if (LINE_TERMINATORS.test(s.pattern)) {
              throw new TypeError("glob `pattern` must not contain line terminators");
            }
            if (s.pattern === "") {
              return (
                /** @type {const} */
                "''"
              );
            }
            return s.pattern.replace(GLOB_SHELL_SPECIAL, "\\$&");
          }
          if ("op" in s && typeof s.op === "string") {
            if (OPS.indexOf(s.op) < 0) {
              throw new TypeError("invalid `op` value: " + JSON.stringify(s.op));
            }
            return s.op.replace(/[\s\S]/g, "\\$&");
          }
          if ("comment" in s && typeof s.comment === "string") {
            if (LINE_TERMINATORS.test(s.comment)) {
              throw new TypeError("`comment` must not contain line terminators");
            }
            sawComment = true;
            return "#" + s.comment;
          }
          throw new TypeError("unrecognized object token shape");
        }
        if (/'/.test(s) && /!/.test(s)) {
          return "'" + s.replace(/'/g, `'"'"'`) + "'";
        }
        if (/["\s\\]/.test(s) && !/'/.test(s)) {
          return "'" + s + "'";
        }
        if (/["'\s]/.test(s)) {
          return '"' + s.replace(/(["\\$`])/g, "\\$1") + '"';
        }
        return String(s).replace(/([A-Za-z]:)?([#!"$&'()*,:;<=>?@[\\\]^`{|}~])/g, "$1\\$2");
      }).join(" ");
    };
  }
});

// node_modules/shell-quote/parse.js
var require_parse = __commonJS({
  "node_modules/shell-quote/parse.js"(exports, module) {
    "use strict";
    var CONTROL = (
      /** @type {const} */
      "(?:" + /** @type {const} */
      [
        "\\|\\|",
        "\\&(?:\\&|>>?)",
        // `&&`, `&>`, and `&>>`
        ";;\\&?",
        // `;;` and `;;&`
        "[;|]\\&",
        // `;&` and `|&`
        "\\<\\(",
        "\\<\\<\\<",
        "\\<\\<-",
        "\\<\\<(?!\\()",
        // `<<(` stays `<` and `<(`, as zsh reads it; other shells reject it
        ">>",
        ">[&|(]",
        // `>&`, `>|`, and `>(`
        "<[&>]",
        // `<&` and `<>`
        "[&;()|<>]"
      ].join(
        /** @type {const} */
        "|"
      ) + /** @type {const} */
      ")"
    );
    var controlRE = new RegExp("^" + CONTROL + "$");
    var META = (
      /** @type {const} */
      "|&;()<> \\t"
    );
    var SINGLE_QUOTE = (
      /** @type {const} */
      "'([^']*?)'"
    );
    var ANSI_C_BODY = "(?:\\\\[\\s\\S]|[^\\\\'])*?";
    var ANSI_C_QUOTE = "\\$'" + ANSI_C_BODY + "'";
    var ansiCAt = new RegExp("\\$'" + ANSI_C_BODY + "(?:(')|\\\\?$)", "g");
    var ANSI_C_LETTERS = "abeEfnrtv";
    var ANSI_C_CHARS = "\x07\b\x1B\x1B\f\n\r	\v";
    var hash = /^#$/;
    var SQ = (
      /** @type {const} */
      "'"
    );
    var DQ = (
      /** @type {const} */
      '"'
    );
    var DS = (
      /** @type {const} */
      "$"
    );
    var TOKEN = "";
    var mult = (
      /** @type {const} */
      4294967296
    );
    for (i = 0; i < 4; i++) {
      TOKEN += (mult * Math.random()).toString(16);
    }
    var i;
    var startsWithToken = new RegExp("^" + TOKEN);
    function matchAll(s, r) {
      var origIndex = r.lastIndex;
      var matches = [];
      var matchObj;
      while (matchObj = r.exec(s)) {
        matches[matches.length] = matchObj;
        if (r.lastIndex === matchObj.index) {
          r.lastIndex += 1;
        }
      }
      r.lastIndex = origIndex;
      return matches;
    }
    function getVar(env, pre, key) {
      var r = typeof env === "function" ? env(key) : env[key];
      if (typeof r === "undefined" && key != "") {
        r = "";
      } else if (typeof r === "undefined") {
        r = "$";
      }
      if (typeof r === "object") {
        return pre + TOKEN + JSON.stringify(r) + TOKEN;
      }
      return pre + r;
    }
    var ansiCEscape = /\\([0-7]{1,3}|x[\dA-Fa-f]{1,2}|u[\dA-Fa-f]{1,4}|U[\dA-Fa-f]{1,8}|c(?:\\\\|[\s\S])|[abeEfnrtv\\'"?])/g;
    function expandAnsiCEscape(m, escape) {
      var kind = escape.charAt(0);
      if (kind === "c") {
        var ctrl = escape.charAt(1);
        return ctrl === "?" ? "\x7F" : String.fromCharCode(ctrl.charCodeAt(0) & 31);
      }
      if (kind === "x" || kind === "u" || kind === "U") {
        var cp = parseInt(escape.slice(1), 16);
        if (cp > 1114111) {
          return m;
        }
        return String.fromCharCode.apply(null, cp > 65535 ? [55232 + (cp >> 10), 56320 + (cp & 1023)] : [cp]);
      }
      if (kind >= "0" && kind <= "7") {
        return String.fromCharCode(parseInt(escape, 8) & 255);
      }
      var letter = ANSI_C_LETTERS.indexOf(escape);
      return letter < 0 ? escape : ANSI_C_CHARS.charAt(letter);
    }
    function expandAnsiC(body) {
      return body.replace(ansiCEscape, expandAnsiCEscape).split("\0")[0];
    }
    function closesAnsiC(s, i2) {
      ansiCAt.lastIndex = i2;
      return !!/** @type {RegExpExecArray} */
      ansiCAt.exec(s)[1];
    }
    function parseInternal(string, env, opts) {
      if (!opts) {
        opts = {};
      }
      var BS = opts.escape || "\\";
      var ifs = opts.splitUnquoted === true ? " 	\n" : typeof opts.splitUnquoted === "string" ? opts.splitUnquoted : "";
      var BAREWORD = "(\\" + BS + `['"$\\` + BS + META + "]|\\$\\$|\\$(?!" + ANSI_C_QUOTE.slice(2) + `)|[^\\s'"$` + META + "])+";
      var DOUBLE_QUOTE = '"(?:\\' + BS + '[\\s\\S]|[^"\\' + BS + '])*"';
      var chunker = new RegExp([
        "(" + CONTROL + ")",
        // control chars
        "(" + ANSI_C_QUOTE + "|" + BAREWORD + "|" + DOUBLE_QUOTE + "|" + SINGLE_QUOTE + ")+"
      ].join("|"), "g");
      var matches = matchAll(string, chunker);
      if (matches.length === 0) {
        return [];
      }
      if (!env) {
        env = {};
      }
      var commented = false;
      return matches.map(function(match) {
        var s = match[0];
        if (!s || commented) {
          return void 0;
        }
        if (controlRE.test(s)) {
          return (
            /** @type {ControlOperator} */
            { op: s }
          );
        }
        var quote = false;
        var esc = false;
        var out = "";
        var words = [];
        var sawQuote = false;
        var pendingNw = null;
        var isGlob = false;
        var i2;
        function parseEnvVar() {
          i2 += 1;
          var varend;
          var varname;
          var char = s.charAt(i2);
          if (char === "{") {
            i2 += 1;
            if (s.charAt(i2) === "}") {
              throw new Error("Bad substitution: " + s.slice(i2 - 2, i2 + 1));
            }
            var depth = 1;
            varend = i2;
            while (depth > 0 && varend < s.length) {
              if (s.charAt(varend) === "{" && s.charAt(varend - 1) === "$") {
                depth += 1;
              } else if (s.charAt(varend) === "}") {
                depth -= 1;
              }
              varend += 1;
            }
            if (depth !== 0) {
              throw new Error("Bad substitution: " + s.slice(i2));
            }
            varend -= 1;
            varname = s.slice(i2, varend);
            i2 = varend;
          } else if (/[*@#?$!-]/.test(char)) {
            varname = char;
          } else {
            var slicedFromI = s.slice(i2);
            varend = slicedFromI.match(/[^\w\d_]/);
            if (!varend) {
              varname = slicedFromI;
              i2 = s.length;
            } else {
              varname = slicedFromI.slice(0, varend.index);
              i2 += /** @type {number} */
              varend.index - 1;
            }
          }
          return getVar(
            /** @type {NonNullable<typeof env>} */
            env,
            "",
            varname
          );
        }
        function flushRun() {
          if (pendingNw === null) {
            return;
          }
          if (pendingNw === 0) {
            if (out !== "") {
              words[words.length] = out;
              out = "";
            }
          } else {
            words[words.length] = out;
            out = "";
            for (var fe = 1; fe < pendingNw; fe += 1) {
              words[words.length] = "";
            }
          }
          pendingNw = null;
        }
        for (i2 = 0; i2 < s.length; i2++) {
          var c = s.charAt(i2);
          if (ifs && c !== DS) {
            flushRun();
          }
          isGlob = isGlob || !quote && (c === "*" || c === "?");
          if (esc) {
            out += c;
            esc = false;
          } else if (quote) {
            if (c === quote) {
              quote = false;
            } else if (quote == SQ) {
              out += c;
            } else {
              if (c === BS) {
                i2 += 1;
                c = s.charAt(i2);
                if (c === DQ || c === BS || c === DS) {
                  out += c;
                } else {
                  out += BS + c;
                }
              } else if (c === DS) {
                out += parseEnvVar();
              } else {
                out += c;
              }
            }
          } else if (c === DQ || c === SQ) {
            quote = c;
            sawQuote = true;
          } else if (controlRE.test(c)) {
            return (
              /** @type {ControlOperator} */
              { op: s }
            );
          } else if (hash.test(c)) {
            commented = true;
            var commentObj = { comment: string.slice(match.index + i2 + 1) };
            if (out.length) {
              return (
                /** @type {const} */
                [out, commentObj]
              );
            }
            return (
              /** @type {const} */
              [commentObj]
            );
          } else if (c === BS) {
            esc = true;
          } else if (c === DS && s.charAt(i2 + 1) === SQ && closesAnsiC(s, i2)) {
            flushRun();
            sawQuote = true;
            out += expandAnsiC(s.slice(i2 + 2, ansiCAt.lastIndex - 1));
            i2 = ansiCAt.lastIndex - 1;
          } else if (c === DS) {
            var value = parseEnvVar();
            if (!ifs) {
              out += value;
            } else {
              for (var vi = 0; vi < value.length; vi += 1) {
                var vc = value.charAt(vi);
                if (ifs.indexOf(vc) < 0) {
                  flushRun();
                  out += vc;
                } else if (pendingNw === null) {
                  pendingNw = vc === " " || vc === "	" || vc === "\n" ? 0 : 1;
                } else if (vc !== " " && vc !== "	" && vc !== "\n") {
                  pendingNw += 1;
                }
              }
            }
          } else {
            out += c;
          }
        }
        if (isGlob) {
          return (
            /** @type {GlobPattern} */
            { op: "glob", pattern: out }
          );
        }
        if (ifs) {
          if (pendingNw !== null && pendingNw > 0) {
            words[words.length] = out;
            out = "";
            for (var te = 1; te < pendingNw; te += 1) {
              words[words.length] = "";
            }
          }
          if (out !== "" || sawQuote && words.length === 0) {
            words[words.length] = out;
          }
          return words;
        }
        return out;
      }).reduce(
        function(prev, arg) {
          if (typeof arg === "undefined") {
            return prev;
          }
          [].concat(arg).forEach(function(entry) {
            prev[prev.length] = entry;
          });
          return prev;
        },
        /** @type {ParseEntry[]} */
        []
      );
    }
    module.exports = function parse(s, env, opts) {
      var mapped = parseInternal(s, env, opts);
      if (typeof env !== "function") {
        return mapped;
      }
      return mapped.reduce(
        function(acc, s2) {
          if (typeof s2 === "object") {
            acc[acc.length] = s2;
            return acc;
          }
          var xs = s2.split(RegExp("(" + TOKEN + ".*?" + TOKEN + ")", "g"));
          if (xs.length === 1) {
            acc[acc.length] = xs[0];
            return acc;
          }
          xs.filter(Boolean).forEach(function(x) {
            acc[acc.length] = startsWithToken.test(x) ? JSON.parse(x.split(TOKEN)[1]) : x;
          });
          return acc;
        },
        /** @type {ParseEntry[]} */
        []
      );
    };
  }
});

// node_modules/shell-quote/index.js
var require_shell_quote = __commonJS({
  "node_modules/shell-quote/index.js"(exports) {
    "use strict";
    exports.quote = require_quote();
    exports.parse = require_parse();
  }
});

// src/core/junit/log.ts
var JUNIT_LOG_BEGIN = "<!-- greenlight:junit:begin -->";
var JUNIT_LOG_END = "<!-- greenlight:junit:end -->";
function extractJUnitFromLog(log, source) {
  const lines = log.split(/\r?\n/);
  let begin = -1;
  let found;
  for (const [index, line] of lines.entries()) {
    const marker = line.trim();
    if (marker === JUNIT_LOG_BEGIN) begin = index;
    else if (marker === JUNIT_LOG_END && begin >= 0) {
      found = { start: begin, end: index };
      begin = -1;
    }
  }
  if (begin >= 0) {
    throw new JUnitError(
      `${source}: line ${begin + 1} begins a JUnit report (${JUNIT_LOG_BEGIN}) that never ends (${JUNIT_LOG_END}); the log was cut`,
      {
        hint: "the tests were killed while printing the report, or the log is longer than the cluster keeps"
      }
    );
  }
  if (!found) return { found: false, reason: "no-markers" };
  return { found: true, xml: lines.slice(found.start + 1, found.end).join("\n"), line: found.start + 2 };
}

// src/core/testing.ts
var import_shell_quote = __toESM(require_shell_quote(), 1);

// src/core/junit/types.ts
function junitPassed(report) {
  return report.totals.failures === 0 && report.totals.errors === 0 && report.suiteErrors.length === 0;
}

// src/core/testing.ts
function standbyUrls(target) {
  return Object.fromEntries(
    target.services.map((service) => [
      service.name,
      inClusterUrl(colorServiceName(service.name, target.color), target.namespace, service.port)
    ])
  );
}
function testEnvironment(target, urls, spec) {
  const greenlight = [
    ...target.services.map((service) => [
      serviceUrlEnvName(service.name),
      urls[service.name] ?? ""
    ]),
    ["GREENLIGHT_RELEASE", target.releaseId],
    ["GREENLIGHT_GROUP", target.group],
    ["GREENLIGHT_COLOR", target.color]
  ];
  const reserved = new Set(greenlight.map(([name]) => name));
  return [...greenlight, ...Object.entries(spec.env).filter(([name]) => !reserved.has(name))];
}
function testJobName(releaseId, run) {
  return `greenlight-test-${releaseId}-${run}`.slice(0, 63);
}
function commandArgv(spec, where) {
  if (spec.shell) return [spec.shell, "-c", spec.run];
  const words = (0, import_shell_quote.parse)(spec.run, (name) => `$${name}`);
  const shellOnly = words.filter((word) => typeof word !== "string" || /^\$[A-Za-z_]/.test(word));
  if (shellOnly.length > 0 || words.length === 0) {
    throw new InputError(
      `${where}: expected a command that runs without a shell, got "${spec.run}" (it uses shell syntax: ${describeWord(shellOnly[0])})`,
      { hint: "set integration.shell: sh in the group file to run it through a shell" }
    );
  }
  return words;
}
function describeWord(word) {
  if (word === void 0) return "no words at all";
  if (typeof word === "string") return `the variable ${word}`;
  if (typeof word === "object" && word !== null && "op" in word)
    return `the operator ${String(word.op)}`;
  if (typeof word === "object" && word !== null && "comment" in word) return "a comment";
  return "a glob";
}
function judgeTestJob(job, pods) {
  const [pod] = pods;
  const container = pod?.containers[0];
  const waiting = container?.waiting?.reason;
  if (waiting && ["ImagePullBackOff", "ErrImagePull", "InvalidImageName", "CreateContainerConfigError"].includes(waiting)) {
    return {
      done: true,
      exitedCleanly: false,
      failure: "test-error",
      notes: [
        `the test pod cannot start: ${waiting}${container?.waiting?.message ? ` (${container.waiting.message})` : ""}`
      ]
    };
  }
  if (!job) return { done: false, notes: [] };
  const deadline = job.conditions.find(
    (condition) => (condition.type === "Failed" || condition.type === "FailureTarget") && condition.status === "True" && condition.reason === "DeadlineExceeded"
  );
  if (deadline)
    return {
      done: true,
      exitedCleanly: false,
      failure: "test-timeout",
      notes: ["the test Job ran past its deadline"]
    };
  const terminated = container?.terminated;
  if (job.succeeded > 0)
    return { done: true, exitedCleanly: true, exitCode: terminated?.exitCode ?? 0, notes: [] };
  if (job.failed > 0 || job.conditions.some((c) => c.type === "Failed" && c.status === "True")) {
    const code = terminated?.exitCode;
    const reason = terminated?.reason;
    if (reason === "OOMKilled") {
      return {
        done: true,
        exitedCleanly: false,
        exitCode: code ?? 137,
        failure: "test-error",
        notes: ["the test pod was OOMKilled: raise its memory or find the leak"]
      };
    }
    return {
      done: true,
      exitedCleanly: false,
      ...code === void 0 ? {} : { exitCode: code },
      failure: "test-failed",
      notes: [
        `the tests exited with code ${code ?? "unknown"}${reason && reason !== "Error" ? ` (${reason})` : ""}`
      ]
    };
  }
  return { done: false, notes: [] };
}
function testVerdict(outcome, junit) {
  const notes = [...outcome.notes];
  if ("error" in junit) {
    notes.push(`the JUnit report could not be read: ${junit.error}`);
    return { passed: false, failure: outcome.failure ?? "junit-invalid", notes };
  }
  if ("missing" in junit) {
    notes.push(
      `${junit.missing}; judged by the exit code${outcome.exitCode === void 0 ? "" : ` (${outcome.exitCode})`}`
    );
    return outcome.exitedCleanly ? { passed: true, notes } : { passed: false, failure: outcome.failure ?? "test-failed", notes };
  }
  const reportPassed = junitPassed(junit.report);
  if (outcome.exitedCleanly && !reportPassed)
    notes.push("the tests exited with code 0, but the report holds failures");
  if (!outcome.exitedCleanly && reportPassed && junit.report.totals.tests > 0 && !outcome.failure) {
    notes.push("the report holds no failure, but the tests did not exit with code 0");
  }
  const passed = outcome.exitedCleanly === true && reportPassed;
  return passed ? { passed, notes } : { passed, failure: outcome.failure ?? "test-failed", notes };
}

// src/engine/verify.ts
async function recordVerification(view, input, deps) {
  const fresh = await readGroupView(view, deps);
  const stored = fresh.records.get(input.releaseId);
  if (!stored)
    throw new EngineError(
      "nothing-on-standby",
      `release ${input.releaseId} has no record in ${view.group.namespace}`
    );
  const stillThere = standbyReleaseId(fresh) === input.releaseId && stored.record.deployedAt === input.deployedAt;
  if (!stillThere) {
    deps.log.warn(
      `standby no longer runs the deploy of release ${input.releaseId} that was tested; the result is not recorded as a verification`
    );
    return { record: stored.record, counted: false };
  }
  const now = nowIso(deps.clock);
  const written = await changeRecord(
    deps.records,
    input.releaseId,
    stored,
    (record) => record ? {
      ...record,
      phase: input.verification.passed ? "verified" : "failed",
      verification: input.verification,
      verifiedAt: now,
      ...input.verification.passed ? {} : {
        failure: {
          kind: "test-failed",
          message: input.verification.summary ?? "the integration tests failed",
          at: now
        }
      },
      updatedAt: now
    } : void 0
  );
  return { record: (written ?? stored).record, counted: true };
}

// src/engine/test-run.ts
var DEADLINE_GRACE_MS = 3e4;
var KEEP_TEST_JOBS = 3;
async function runIntegrationTests(input, deps) {
  const spec = integrationOf(input.group, input.mode);
  const image = spec.mode === "job" ? await resolveTestImage(spec.run, input.group, deps.images) : void 0;
  return withGroupLock(input, deps, async (session) => {
    const { view } = session;
    const record = standbyRelease(view, input.releaseId).record;
    await requireStandbyReady(view, record, " to test", session.deps);
    const target = {
      group: view.group.name,
      namespace: view.group.namespace,
      releaseId: record.id,
      color: view.standbyColor,
      services: catalogServices(view)
    };
    const pending = pendingRun(target, record, input.catalog, deps.run.runUrl);
    const warnings = [...(await deps.reporter.reportPending(pending)).warnings];
    deps.log.info(`testing release ${record.id} on ${target.color} (${spec.mode}: ${spec.run})`);
    const ran = image === void 0 ? await runCommand(spec, target, input, deps, session.signal) : await runJob(
      spec,
      image,
      target,
      { ...deps, jobs: guardJobs(deps.jobs, session.lock) },
      session.signal
    );
    const verdict = testVerdict(ran.outcome, ran.junit);
    const totals = totalsOf("report" in ran.junit ? ran.junit.report : void 0);
    const recorded = await recordVerification(
      view,
      {
        releaseId: record.id,
        deployedAt: record.deployedAt,
        verification: {
          passed: verdict.passed,
          digests: digestsOf(record),
          ...totals,
          at: nowIso(deps.clock),
          mode: spec.mode,
          ...deps.run.runUrl ? { runUrl: deps.run.runUrl } : {},
          summary: verdict.notes.join("; ") || (verdict.passed ? "passed" : "failed")
        }
      },
      session.deps
    );
    const passed = verdict.passed && recorded.counted;
    const notes = recorded.counted ? verdict.notes : [...verdict.notes, "standby changed under the run: not recorded"];
    const report = {
      ...pending,
      standbyColor: target.color,
      passed,
      notes,
      ..."report" in ran.junit ? { junit: ran.junit.report } : {}
    };
    warnings.push(...(await deps.reporter.reportResult(report)).warnings);
    for (const warning of warnings) deps.log.warn(warning);
    return {
      passed,
      releaseId: record.id,
      mode: spec.mode,
      totals,
      ...verdict.failure ? { failure: verdict.failure } : {},
      ...ran.xml === void 0 ? {} : { junitXml: ran.xml },
      report,
      summary: renderJobSummary(report, warnings),
      warnings,
      counted: recorded.counted
    };
  });
}
function integrationOf(group, mode) {
  const spec = group.integration;
  if (!spec) {
    throw new InputError(
      `group ${group.name} (${group.file}) has no integration block: there are no tests to run`,
      {
        hint: "add integration.image (a test image run as a Job) or integration.command to the group file"
      }
    );
  }
  if (mode !== "auto" && mode !== spec.mode) {
    throw new InputError(
      `mode ${mode} was asked for, but group ${group.name} tests with ${spec.mode === "job" ? "an image (integration.image)" : "a command (integration.command)"}`
    );
  }
  return spec;
}
function resolveTestImage(reference, group, images) {
  return resolveImageReference(reference, `${group.file} integration.image`, images);
}
function pendingRun(target, record, catalog, runUrl) {
  const urls = standbyUrls(target);
  return {
    group: target.group,
    namespace: target.namespace,
    releaseId: record.id,
    services: record.services.map((service) => {
      const catalogService = catalog.services.get(service.service);
      return {
        service: service.service,
        digest: service.digest,
        ...service.branch ? { branch: service.branch } : {},
        ...service.commit ? { commit: service.commit } : {},
        ...urls[service.service] ? { standbyUrl: urls[service.service] } : {},
        ...catalogService?.githubRepository ? { githubRepository: catalogService.githubRepository } : {}
      };
    }),
    ...runUrl ? { runUrl } : {}
  };
}
function readReport(xml, source) {
  const parsed = tryParseJUnit(xml, { source });
  return parsed.ok ? { junit: { report: parsed.report }, xml } : { junit: { error: parsed.error.message } };
}
function fromLog(log, source, missing) {
  try {
    const found = extractJUnitFromLog(log, source);
    return found.found ? readReport(found.xml, source) : { junit: { missing } };
  } catch (error) {
    return { junit: { error: error instanceof Error ? error.message : String(error) } };
  }
}
async function runJob(spec, image, target, deps, signal) {
  const timeoutMs = parseDuration(spec.timeout, `${target.group} integration.timeout`);
  const prefix = `greenlight-test-${target.releaseId}-`;
  const runs = (await deps.jobs.listJobs()).filter((job) => job.startsWith(prefix)).map((job) => Number(job.slice(prefix.length))).filter(Number.isInteger);
  const name = testJobName(target.releaseId, Math.max(0, ...runs) + 1);
  await pruneTestJobs(deps, timeoutMs);
  await deps.jobs.createJob({
    name,
    group: target.group,
    releaseId: target.releaseId,
    image,
    env: testEnvironment(target, standbyUrls(target), spec),
    activeDeadlineSeconds: Math.max(1, Math.ceil(timeoutMs / 1e3))
  });
  const outcome = await waitForJob(name, timeoutMs + DEADLINE_GRACE_MS, deps, signal);
  if (outcome.failure === "test-timeout") {
    await deps.jobs.deleteJob(name, 6e4);
    deps.log.info(`deleted the test Job ${name} and its pods after the timeout`);
    return { outcome, junit: { missing: "the tests were stopped at the timeout, with no report" } };
  }
  if (!outcome.pod) return { outcome, junit: { missing: "the test pod never started" } };
  const log = await deps.jobs.readLog(outcome.pod);
  if ("unavailable" in log) {
    return { outcome, junit: { missing: `the cluster serves no pod logs (${firstLine(log.unavailable)})` } };
  }
  return {
    outcome,
    ...fromLog(
      log.log,
      `the log of ${outcome.pod}`,
      "the test log holds no JUnit report between the markers"
    )
  };
}
async function waitForJob(name, timeoutMs, deps, outer) {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  const signal = AbortSignal.any([outer, timeout.signal]);
  let pod;
  try {
    for await (const snapshot of deps.jobs.watchJob(name, signal)) {
      pod = snapshot.pods[0]?.name ?? pod;
      const outcome = judgeTestJob(snapshot.job, snapshot.pods);
      if (outcome.done) return { ...outcome, ...pod ? { pod } : {} };
    }
  } finally {
    clearTimeout(timer);
  }
  if (outer.aborted) throw outer.reason;
  return {
    done: true,
    exitedCleanly: false,
    failure: "test-timeout",
    notes: [`the tests did not finish within ${Math.round(timeoutMs / 1e3)}s`],
    ...pod ? { pod } : {}
  };
}
async function pruneTestJobs(deps, timeoutMs) {
  const jobs = await deps.jobs.listJobs();
  for (const name of jobs.slice(0, Math.max(0, jobs.length - KEEP_TEST_JOBS + 1))) {
    await deps.jobs.deleteJob(name, Math.min(timeoutMs, 6e4));
  }
}
async function runCommand(spec, target, input, deps, signal) {
  const argv = commandArgv(spec, `${input.group.file} integration.command`);
  const timeoutMs = parseDuration(spec.timeout, `${target.group} integration.timeout`);
  const urls = input.urls ?? spec.urls;
  const forwards = urls === "port-forward" ? await openForwards(target, deps) : [];
  const dir = await deps.commands.tempDir();
  try {
    const junitFile = `${dir.path}/junit.xml`;
    const localUrls = forwards.length > 0 ? Object.fromEntries(forwards.map((f) => [f.service, f.url])) : standbyUrls(target);
    const env = Object.fromEntries([
      ...testEnvironment(target, localUrls, spec),
      ["GREENLIGHT_JUNIT_FILE", junitFile]
    ]);
    const result = await deps.commands.run({ argv, env, cwd: input.cwd, timeoutMs, signal });
    const outcome = commandOutcome(argv, result, timeoutMs);
    const written = await deps.commands.readReport(junitFile);
    if (written !== void 0) return { outcome, ...readReport(written, "GREENLIGHT_JUNIT_FILE") };
    return {
      outcome,
      ...fromLog(
        result.stdout,
        "the stdout of the test command",
        "the command wrote no JUnit report (GREENLIGHT_JUNIT_FILE) and printed none"
      )
    };
  } finally {
    await Promise.all([dir.remove(), ...forwards.map((forward) => forward.close())]);
  }
}
async function openForwards(target, deps) {
  const forwards = [];
  try {
    for (const service of target.services) {
      const forward = await deps.commands.forward({
        service: service.name,
        color: target.color,
        port: service.port
      });
      forwards.push({ service: service.name, ...forward });
    }
    return forwards;
  } catch (error) {
    await Promise.all(forwards.map((forward) => forward.close()));
    throw error;
  }
}
function commandOutcome(argv, result, timeoutMs) {
  if (result.timedOut) {
    return {
      done: true,
      exitedCleanly: false,
      failure: "test-timeout",
      notes: [`the test command was stopped after ${Math.round(timeoutMs / 1e3)}s`]
    };
  }
  if (result.exitCode === 127 && /ENOENT/.test(result.stderr)) {
    return {
      done: true,
      exitedCleanly: false,
      exitCode: 127,
      failure: "test-error",
      notes: [`the test command ${argv[0]} could not start: not found`]
    };
  }
  return {
    done: true,
    exitedCleanly: result.exitCode === 0,
    exitCode: result.exitCode,
    notes: result.exitCode === 0 ? [] : [`the test command exited with code ${result.exitCode}`]
  };
}
function totalsOf(report) {
  if (!report) return { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const { tests, failures, errors, skipped } = report.totals;
  return { tests, failures, errors, skipped };
}
function firstLine(text) {
  return text.split("\n")[0] ?? text;
}

export {
  JUNIT_LOG_BEGIN,
  extractJUnitFromLog,
  junitPassed,
  runIntegrationTests
};
