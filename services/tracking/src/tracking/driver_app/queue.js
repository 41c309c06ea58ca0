// Pings waiting to be sent, in IndexedDB: an auto-increment key keeps them oldest first.
const PingQueue = (() => {
  const DB = "lastmile-driver";
  const STORE = "pings";
  let opened = null;

  function db() {
    opened = opened || new Promise((resolve, reject) => {
      const request = indexedDB.open(DB, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { autoIncrement: true });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return opened;
  }

  async function run(mode, work) {
    const conn = await db();
    return new Promise((resolve, reject) => {
      const tx = conn.transaction(STORE, mode);
      const result = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(result.value);
      tx.onerror = () => reject(tx.error);
    });
  }

  return {
    add(ping) {
      return run("readwrite", (store) => { store.add(ping); return {}; });
    },
    // The oldest `limit` pings as [keys, pings].
    oldest(limit) {
      return run("readonly", (store) => {
        const out = { value: [[], []] };
        store.openCursor().onsuccess = (event) => {
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
      return run("readwrite", (store) => { keys.forEach((k) => store.delete(k)); return {}; });
    },
    clear() {
      return run("readwrite", (store) => { store.clear(); return {}; });
    },
    count() {
      return run("readonly", (store) => {
        const out = { value: 0 };
        store.count().onsuccess = (event) => { out.value = event.target.result; };
        return out;
      });
    },
  };
})();
