// The app's words in English and German; the phone's language picks (English otherwise).
const STRINGS = {
  en: {
    title: "lastmile driver", token: "Device token", signIn: "Sign in", signOut: "Sign out",
    online: "online", offline: "offline", noRoute: "No route to drive now.",
    summary: "Route {route}: {left} of {total} stops to go", waiting: "{n} positions waiting to be sent",
    window: "Window {w}", planned: "Planned {t}", parcel: "Parcel: {label}", status: "Status: {s}",
    call: "Call", navigate: "Navigate", maps: "Maps", delivered: "Delivered", failed: "Failed",
    photo: "Photo of the parcel at the door", signature: "Signature", clear: "Clear",
    recipient: "Recipient's name", confirmDelivery: "Confirm delivery", reason: "Reason",
    note: "Note", confirmFailure: "Confirm failure", beforeHanding: "Before handing over",
    skill_age_check: "The recipient is 18 or older (ID checked)",
    skill_id_check: "The recipient's ID was checked",
    skill_other: "Required: {skill} (done)", newStop: "New stop", replanned: "Route changed: {n} new stops",
    queued: "Saved on the phone: sent when the connection returns.", offlineAction: "No connection: try again when online.", stopsWaiting: "{n} stops waiting to be sent",
    sending: "Saving…",
    notSaved: "Not saved ({status})", signedOut: "This device was signed out: ask your dispatcher for a new link.",
    breakStart: "Start break", breakEnd: "End break", onBreak: "On break since {t}",
    finish: "Route finished", finished: "Route finished. Positions are no longer sent.",
    openStops: "Still open: {n} stops", lowBattery: "Battery low: positions every 30 s",
    mapNote: "Streets and planned roads.",
    mapData: "Map data © OpenStreetMap contributors",
    nobody_home: "Nobody home", no_access: "No access", refused: "Refused", damaged: "Damaged",
    wrong_address: "Wrong address", unsafe: "Unsafe", other: "Other",
    st_pending: "pending", st_arrived: "arrived", st_departed: "departed",
    st_delivered: "delivered", st_failed: "failed",
  },
  de: {
    title: "lastmile Fahrer", token: "Geräte-Token", signIn: "Anmelden", signOut: "Abmelden",
    online: "online", offline: "offline", noRoute: "Gerade keine Tour.",
    summary: "Tour {route}: noch {left} von {total} Stopps", waiting: "{n} Positionen warten auf Versand",
    window: "Zeitfenster {w}", planned: "Geplant {t}", parcel: "Paket: {label}", status: "Status: {s}",
    call: "Anrufen", navigate: "Navigation", maps: "Karten", delivered: "Zugestellt", failed: "Nicht zugestellt",
    photo: "Foto des Pakets an der Tür", signature: "Unterschrift", clear: "Löschen",
    recipient: "Name des Empfängers", confirmDelivery: "Zustellung bestätigen", reason: "Grund",
    note: "Notiz", confirmFailure: "Fehlversuch bestätigen", beforeHanding: "Vor der Übergabe",
    skill_age_check: "Empfänger ist mindestens 18 (Ausweis geprüft)",
    skill_id_check: "Ausweis des Empfängers geprüft",
    skill_other: "Erforderlich: {skill} (erledigt)", newStop: "Neuer Stopp", replanned: "Tour geändert: {n} neue Stopps",
    queued: "Auf dem Telefon gespeichert: wird gesendet, sobald Verbindung besteht.", offlineAction: "Keine Verbindung: bitte online erneut versuchen.", stopsWaiting: "{n} Stopps warten auf Versand",
    sending: "Wird gespeichert…",
    notSaved: "Nicht gespeichert ({status})", signedOut: "Dieses Gerät wurde abgemeldet: bitte beim Disponenten einen neuen Link anfordern.",
    breakStart: "Pause beginnen", breakEnd: "Pause beenden", onBreak: "Pause seit {t}",
    finish: "Tour beendet", finished: "Tour beendet. Es werden keine Positionen mehr gesendet.",
    openStops: "Noch offen: {n} Stopps", lowBattery: "Akku schwach: Position alle 30 s",
    mapNote: "Straßen und geplante Route.",
    mapData: "Kartendaten © OpenStreetMap-Mitwirkende",
    nobody_home: "Niemand zu Hause", no_access: "Kein Zugang", refused: "Annahme verweigert", damaged: "Beschädigt",
    wrong_address: "Falsche Adresse", unsafe: "Unsicher", other: "Sonstiges",
    st_pending: "offen", st_arrived: "angekommen", st_departed: "abgefahren",
    st_delivered: "zugestellt", st_failed: "nicht zugestellt",
  },
};
const LANG = (navigator.language || "en").slice(0, 2) in STRINGS ? (navigator.language || "en").slice(0, 2) : "en";

// The phrase `key` in the phone's language, with {placeholders} filled from `vars`.
function t(key, vars = {}) {
  const text = STRINGS[LANG][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

// Fills every element with data-t="key" (its text) or data-t-placeholder (its placeholder).
function translatePage() {
  document.documentElement.lang = LANG;
  document.querySelectorAll("[data-t]").forEach((node) => { node.textContent = t(node.dataset.t); });
  document.querySelectorAll("template").forEach((tpl) =>
    tpl.content.querySelectorAll("[data-t]").forEach((node) => { node.textContent = t(node.dataset.t); }));
}
