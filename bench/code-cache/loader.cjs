// Experiment (issue 15 part 2; now used by bench/snapshot/ab.ts as its cjs+cache variant): compile a CommonJS bundle with vm.Script and a V8 code cache.
// CODE_CACHE_BUNDLE: the bundle; CODE_CACHE_DIR: where caches live ('' = no cache). The cache file is keyed
// by the bundle's sha256, the Node version and the V8-relevant flags; produced once the host said
// `connected` (so functions compiled lazily during restore and login are in it), written atomically.
const fs = require('node:fs'), vm = require('node:vm'), path = require('node:path'), crypto = require('node:crypto'), Module = require('node:module');
const file = process.env.CODE_CACHE_BUNDLE, dir = process.env.CODE_CACHE_DIR;
const source = fs.readFileSync(file, 'utf8');
let cacheFile, cachedData;
if (dir) {
  const key = crypto.createHash('sha256').update(source).update(process.version).update(process.execArgv.filter((a) => a.startsWith('--') && !a.startsWith('--import')).join(' ')).digest('hex').slice(0, 32);
  cacheFile = path.join(dir, `host-${key}.v8cache`);
  try { cachedData = fs.readFileSync(cacheFile); } catch { cachedData = undefined; }
}
const script = new vm.Script(Module.wrap(source), { filename: file, ...(cachedData ? { cachedData } : {}), importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
const rejected = cachedData !== undefined && script.cachedDataRejected === true;
if (cacheFile && (cachedData === undefined || rejected)) {
  const send = process.send.bind(process);
  let done = false;
  process.send = (m, ...rest) => {
    if (!done && m && m.type === 'status' && m.status === 'connected') {
      done = true;
      setTimeout(() => {
        try {
          const tmp = `${cacheFile}.${process.pid}.tmp`;
          fs.mkdirSync(dir, { recursive: true });
          fs.writeFileSync(tmp, script.createCachedData());
          fs.renameSync(tmp, cacheFile);
        } catch { /* a cache is an optimisation: never fail the host for it */ }
      }, 1000).unref();
    }
    return send(m, ...rest);
  };
}
const m = new Module(file, null);
m.filename = file;
m.paths = Module._nodeModulePaths(path.dirname(file));
script.runInThisContext().call(m.exports, m.exports, Module.createRequire(file), m, file, path.dirname(file));
