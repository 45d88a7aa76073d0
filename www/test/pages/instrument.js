// Storage instrumentation for the browser tests. A classic (non-module)
// script: include it first in <head>, before any hearth code, so every call
// hearth could make into device storage goes through a wrapper that counts it.
//
// window.__storageLog     [{ surface, op, key?, at }] in call order
// window.__storageProbe   { counts(), since(n), reset(), read() }: read()
//                         dumps localStorage, sessionStorage and cookies with
//                         the original functions, so the test's own looking
//                         is never logged.
//
// Surfaces: localStorage and sessionStorage (Storage.prototype getItem,
// setItem, removeItem, key, clear, the length getter, and the window
// getters themselves, which cover named-property access like
// localStorage.foo), indexedDB (the getter, open, deleteDatabase,
// databases), document.cookie (getter and setter), caches (the getter,
// open, has, delete, keys, match) and navigator.storage (getDirectory,
// persist, estimate) where present.
//
// Faults, from the query string: ?fault=setItem:QuotaExceededError makes
// every Storage setItem throw that DOMException (after logging the call);
// likewise getItem, removeItem, key and clear, with QuotaExceededError or
// SecurityError. ?fault=localStorage:SecurityError makes the
// window.localStorage getter itself throw, as in a sandboxed frame or with
// site data blocked.
//
// `node --test www/test/` also runs this file (every .js under a test/
// directory is a test file to Node): outside a window it does nothing.
(function () {
  'use strict';
  if (typeof window === 'undefined') return;
  const log = [];
  const fault = new URLSearchParams(location.search).get('fault');
  const started = performance.now();
  const record = (surface, op, key) => {
    const entry = { surface, op, at: Math.round(performance.now() - started) };
    if (key !== undefined) entry.key = String(key);
    log.push(entry);
  };
  const define = (target, name, descriptor) =>
    Object.defineProperty(target, name, { ...descriptor, configurable: true });
  /** The accessor `name` on `obj` or its nearest prototype that has it. */
  const accessorOf = (obj, name) => {
    for (let o = obj; o; o = Object.getPrototypeOf(o)) {
      const d = Object.getOwnPropertyDescriptor(o, name);
      if (d) return { owner: o, descriptor: d };
    }
    return null;
  };

  // ---- the window getters: localStorage, sessionStorage, indexedDB, caches ----
  const originalGetters = {};
  for (const name of ['localStorage', 'sessionStorage', 'indexedDB', 'caches']) {
    const found = accessorOf(window, name);
    if (!found || typeof found.descriptor.get !== 'function') continue;
    const get = found.descriptor.get;
    originalGetters[name] = get;
    define(found.owner, name, {
      enumerable: found.descriptor.enumerable,
      get() {
        record(name, 'get window.' + name);
        // As in a sandboxed frame or with site data blocked.
        if (fault === name + ':SecurityError') {
          throw new DOMException(`injected by the test page (access to ${name} is denied)`, 'SecurityError');
        }
        return get.call(this);
      },
      set: found.descriptor.set,
    });
  }
  const local = () => originalGetters.localStorage.call(window);
  const session = () => originalGetters.sessionStorage.call(window);

  // ---- Storage.prototype ----
  const which = (s) => {
    try {
      if (s === local()) return 'localStorage';
      if (s === session()) return 'sessionStorage';
    } catch {
      // Storage blocked: the call below throws as it would anyway.
    }
    return 'Storage';
  };
  const SP = Storage.prototype;
  const original = {};
  for (const op of ['getItem', 'setItem', 'removeItem', 'key', 'clear']) {
    const f = SP[op];
    original[op] = f;
    define(SP, op, {
      writable: true,
      enumerable: true,
      value: function (...args) {
        record(which(this), op, args[0]);
        if (fault === op + ':QuotaExceededError' || fault === op + ':SecurityError') {
          const name = fault.split(':')[1];
          throw new DOMException(`injected by the test page (${name})`, name);
        }
        return f.apply(this, args);
      },
    });
  }
  const lengthGet = Object.getOwnPropertyDescriptor(SP, 'length').get;
  define(SP, 'length', {
    enumerable: true,
    get() {
      record(which(this), 'length');
      return lengthGet.call(this);
    },
  });

  // ---- IndexedDB ----
  if (typeof IDBFactory !== 'undefined') {
    for (const op of ['open', 'deleteDatabase', 'databases']) {
      const f = IDBFactory.prototype[op];
      if (typeof f !== 'function') continue;
      define(IDBFactory.prototype, op, {
        writable: true,
        value: function (...args) {
          record('indexedDB', op, args[0]);
          return f.apply(this, args);
        },
      });
    }
  }

  // ---- document.cookie ----
  const cookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  define(Document.prototype, 'cookie', {
    enumerable: cookie.enumerable,
    get() {
      record('cookie', 'get');
      return cookie.get.call(this);
    },
    set(v) {
      record('cookie', 'set', String(v).split('=')[0]);
      cookie.set.call(this, v);
    },
  });

  // ---- Cache Storage, navigator.storage ----
  if (typeof CacheStorage !== 'undefined') {
    for (const op of ['open', 'has', 'delete', 'keys', 'match']) {
      const f = CacheStorage.prototype[op];
      if (typeof f !== 'function') continue;
      define(CacheStorage.prototype, op, {
        writable: true,
        value: function (...args) {
          record('caches', op, args[0]);
          return f.apply(this, args);
        },
      });
    }
  }
  if (typeof StorageManager !== 'undefined') {
    for (const op of ['getDirectory', 'persist', 'estimate']) {
      const f = StorageManager.prototype[op];
      if (typeof f !== 'function') continue;
      define(StorageManager.prototype, op, {
        writable: true,
        value: function (...args) {
          record('navigator.storage', op);
          return f.apply(this, args);
        },
      });
    }
  }

  // ---- reading without being logged ----
  const dump = (s) => {
    const out = {};
    const n = lengthGet.call(s);
    for (let i = 0; i < n; i++) {
      const k = original.key.call(s, i);
      out[k] = original.getItem.call(s, k);
    }
    return out;
  };
  window.__storageLog = log;
  window.__storageProbe = {
    surfaces: ['localStorage', 'sessionStorage', 'Storage', 'indexedDB', 'cookie', 'caches', 'navigator.storage'],
    /** Calls per surface so far. */
    counts() {
      const c = {};
      for (const e of log) c[e.surface] = (c[e.surface] ?? 0) + 1;
      return c;
    },
    /** The entries from position `n` on. */
    since(n) {
      return log.slice(n);
    },
    reset() {
      log.length = 0;
    },
    /** The page's storage as it is now, read without logging. */
    read() {
      return { localStorage: dump(local()), sessionStorage: dump(session()), cookie: cookie.get.call(document) };
    },
    /** Writes the page's own data (not hearth's), without logging. */
    seed({ localStorage: l = {}, sessionStorage: s = {}, cookies = [] } = {}) {
      for (const [k, v] of Object.entries(l)) original.setItem.call(local(), k, v);
      for (const [k, v] of Object.entries(s)) original.setItem.call(session(), k, v);
      for (const c of cookies) cookie.set.call(document, c);
    },
  };
})();
