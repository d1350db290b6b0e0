/**
 * The live view's websocket: binary frames in, JSON commands out.
 *
 * `LiveRun` connects to /ws/runs/{id}, decodes each binary message with
 * `decodeFrame` and dispatches it as a `frame` or `unitmap` event; a JSON text
 * message from the server (an error naming a field, or a notice that the run is
 * gone) becomes a `servererror` event, its `message` in the page's language (from
 * the error's `code` and `params`, see error_text.js; `english` keeps the server's). Commands sent before the socket opens are
 * queued and sent on open. See docs/protocol.md.
 */

import { errorText } from "./error_text.js";
import { decodeFrame } from "./frames.js";

export class LiveRun extends EventTarget {
  /** @param {string} runId */
  constructor(runId) {
    super();
    this.runId = runId;
    this.socket = null;
    this.pending = [];
    this.closedByUs = false;
  }

  /** Open the socket (once). */
  connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/runs/${this.runId}`);
    socket.binaryType = "arraybuffer";
    socket.addEventListener("open", () => {
      for (const command of this.pending) socket.send(JSON.stringify(command));
      this.pending = [];
      this.dispatchEvent(new Event("open"));
    });
    socket.addEventListener("message", (event) => this.receive(event.data));
    socket.addEventListener("close", () => {
      this.dispatchEvent(new CustomEvent("closed", { detail: { byUs: this.closedByUs } }));
    });
    this.socket = socket;
    return this;
  }

  /** @param {ArrayBuffer|string} data one message from the server */
  receive(data) {
    if (typeof data === "string") {
      let detail;
      try {
        detail = JSON.parse(data);
      } catch {
        detail = { field: "message", message: data };
      }
      detail = { ...detail, english: detail.message, message: errorText(detail) };
      this.dispatchEvent(new CustomEvent("servererror", { detail }));
      return;
    }
    const message = decodeFrame(data);
    const kind = message.header.type === "unit_map" ? "unitmap" : "frame";
    this.dispatchEvent(new CustomEvent(kind, { detail: message }));
  }

  /** Send one command, e.g. {type: "play"}; queued until the socket is open. */
  send(command) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(command));
    } else if (!this.socket || this.socket.readyState === WebSocket.CONNECTING) {
      this.pending.push(command);
    }
  }

  close() {
    this.closedByUs = true;
    if (this.socket) this.socket.close();
  }

  /**
   * Ask for one unit's full-resolution map; resolves with `{data, shape}`.
   * @param {string} layer activation layer path
   * @param {number} unit
   * @param {number} grid side of the map
   */
  unitMap(layer, unit, grid = 100) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.removeEventListener("unitmap", onMap);
        reject(new Error("no unit map"));
      }, 5000);
      const onMap = (event) => {
        const { header, arrays } = event.detail;
        if (header.layer !== layer || header.unit !== unit) return;
        clearTimeout(timer);
        this.removeEventListener("unitmap", onMap);
        resolve(arrays.map);
      };
      this.addEventListener("unitmap", onMap);
      this.send({ type: "unit_map", layer, unit, grid });
    });
  }
}
