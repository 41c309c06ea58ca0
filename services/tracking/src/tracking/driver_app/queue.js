// Work waiting for the network, in IndexedDB: pings, and completions made offline (with their
// photo and signature blobs). Auto-increment keys keep both oldest first.
const Outbox = (() => {
  const DB = "lastmile-driver";
  const STORES = ["pings", "completions"];
  let opened = null;

  function db() {
    opened = opened || new Promise((resolve, reject) => {
      const request = indexedDB.open(DB, 2);  // 2: completions added beside pings
      request.onupgradeneeded = () => {
        for (const name of STORES) {
          if (!request.result.objectStoreNames.contains(name)) request.result.createObjectStore(name, { autoIncrement: true });
        }
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return opened;
  }

  function store(name) {
    async function run(mode, work) {
      const conn = await db();
      return new Promise((resolve, reject) => {
        const tx = conn.transaction(name, mode);
        const result = work(tx.objectStore(name));
        tx.oncomplete = () => resolve(result.value);
        tx.onerror = () => reject(tx.error);
      });
    }
    return {
      add(item) {
        return run("readwrite", (s) => { s.add(item); return {}; });
      },
      // The oldest `limit` items as [keys, items].
      oldest(limit) {
        return run("readonly", (s) => {
          const out = { value: [[], []] };
          s.openCursor().onsuccess = (event) => {
            const cursor = event.target.result;
            if (!cursor || out.value[0].length >= limit) return;
            out.value[0].push(cursor.key);
            out.value[1].push(cursor.value);
            cursor.continue();
          };
          return out;
        });
      },
      remove(keys) {
        return run("readwrite", (s) => { keys.forEach((k) => s.delete(k)); return {}; });
      },
      clear() {
        return run("readwrite", (s) => { s.clear(); return {}; });
      },
      count() {
        return run("readonly", (s) => {
          const out = { value: 0 };
          s.count().onsuccess = (event) => { out.value = event.target.result; };
          return out;
        });
      },
    };
  }

  return { store };
})();
const PingQueue = Outbox.store("pings");
const CompletionQueue = Outbox.store("completions");
