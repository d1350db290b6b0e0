/**
 * The controls that choose the probed sample: which data set part and index
 * (previous / next), and for images a shift pad (arrows and a reset, showing the
 * shift) and "draw a fresh <class> at size <S>" with the input size and the
 * length of the pooled vector it gives; for text, a sentence box (Enter sends).
 *
 * Each control sends one whole `probe` command through `onProbe(command)` (the
 * server's probe is replaced by each command, so the command repeats what stays,
 * e.g. the sample when shifting). What the controls show follows the frames
 * (`update(frame)`), so a refused command leaves them on the sample still shown.
 */

import { el } from "../common/dom.js";
import { isEnglish, t } from "../common/i18n.js";

/** The pad's moves: [label, tooltip, symbol, dy, dx, grid area]. */
const MOVES = [
  [t("Move the input up"), t("Move the input up one pixel (arrow keys on the image)"), "↑", -1, 0, "up"],
  [t("Move the input left"), t("Move the input left one pixel (arrow keys on the image)"), "←", 0, -1,
    "left"],
  [t("Move the input right"), t("Move the input right one pixel (arrow keys on the image)"), "→", 0, 1,
    "right"],
  [t("Move the input down"), t("Move the input down one pixel (arrow keys on the image)"), "↓", 1, 0,
    "down"],
];

/** The sentence box's example (English words: the net's vocabulary is English). */
const EXAMPLE = "the food was not good";
const KEY_MOVES = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };

/** A labelled control: [label, control]. */
function labelled(id, text, control) {
  control.id = id;
  return [el("label", { for: id, text }), control];
}

/** A button. */
function button(text, testid, onClick, attrs = {}) {
  const b = el("button", { type: "button", "data-testid": testid, text, ...attrs });
  b.addEventListener("click", onClick);
  return b;
}

export class ProbeControls {
  /**
   * @param {HTMLElement} container where the controls go (its content is replaced)
   * @param {{onProbe: (command: object) => void, shiftContainer?: HTMLElement}} handlers
   *   shiftContainer: where the shift pad goes (next to the image), else with the rest
   */
  constructor(container, { onProbe, shiftContainer = null }) {
    this.container = container;
    this.shiftContainer = shiftContainer;
    this.onProbe = onProbe;
    this.probe = null;
    this.wantedShift = null; // sent but not yet shown (quick clicks add up)
    this.size = 0;
    this.dataSize = 0;
  }

  /** Forget moves not yet shown (the server refused a command). */
  forget() {
    this.wantedShift = null;
  }

  /** Build the controls for a run on `modality` ("image" or "text") data. */
  setRun(modality, spec) {
    this.modality = modality;
    this.dataSize = spec?.data?.size || 0;
    this.probe = null;
    const parts = [this.samplePart()];
    const pad = modality === "image" ? this.shiftPart() : null;
    if (pad && !this.shiftContainer) parts.push(pad);
    if (modality === "image") parts.push(this.drawPart());
    if (modality === "text") parts.unshift(this.sentencePart());
    this.container.replaceChildren(...parts);
    this.shiftContainer?.replaceChildren(...(pad ? [pad] : []));
  }

  samplePart() {
    [this.setLabel, this.setSelect] = labelled("probe-set", t("Set"), el("select",
      { "data-testid": "probe-set" }, el("option", { value: "test", text: t("test") }),
      el("option", { value: "train", text: t("train") })));
    [this.indexLabel, this.indexInput] = labelled("probe-index", t("index"), el("input",
      { type: "number", min: 0, step: 1, value: 0, "data-testid": "probe-index", class: "lab-index" }));
    this.setSelect.addEventListener("change", () => this.sample(0));
    this.indexInput.addEventListener("change", () => this.sample(Number(this.indexInput.value)));
    const prev = button("‹", "probe-prev", () => this.sample(this.index() - 1),
      { "aria-label": t("Previous sample"), title: t("Previous sample") });
    const next = button("›", "probe-next", () => this.sample(this.index() + 1),
      { "aria-label": t("Next sample"), title: t("Next sample") });
    return el("fieldset", { class: "lab-fieldset" }, el("legend", { text: t("Sample from the data") }),
      el("div", { class: "lab-line" }, this.setLabel, this.setSelect, this.indexLabel,
        this.indexInput, prev, next));
  }

  shiftPart() {
    const pad = el("div", { class: "lab-pad", role: "group", "aria-label": t("Shift the input") });
    for (const [label, title, symbol, dy, dx, area] of MOVES) {
      const b = button(symbol, `shift-${area}`, () => this.shift(dy, dx), { "aria-label": label, title });
      b.style.gridArea = area;
      pad.append(b);
    }
    const reset = button("0", "shift-reset", () => this.shift(0, 0, true),
      { "aria-label": t("Put the input back (no shift)"), title: t("No shift") });
    reset.style.gridArea = "mid";
    pad.append(reset);
    this.shiftOut = el("output", { class: "lab-shift-value", "data-testid": "shift-value",
      "aria-live": "polite" });
    return el("fieldset", { class: "lab-fieldset lab-shift" }, el("legend", { text: t("Shift") }),
      pad, this.shiftOut);
  }

  drawPart() {
    [this.classLabel, this.classSelect] = labelled("draw-class", t("Draw a fresh"),
      el("select", { "data-testid": "draw-class" }));
    [this.sizeLabel, this.sizeInput] = labelled("draw-size", t("at size"), el("input",
      { type: "number", min: 8, max: 32, step: 1, value: this.dataSize || 16,
        "data-testid": "draw-size", class: "lab-index" }));
    const draw = button(t("Draw"), "draw", () => this.draw());
    this.sizeInput.addEventListener("keydown", (event) => {
      if (event.key === "Enter") this.draw();
    });
    this.sizeOut = el("output", { class: "lab-size-info", "data-testid": "size-info",
      "aria-live": "polite" });
    return el("fieldset", { class: "lab-fieldset" }, el("legend", { text: t("Draw an image") }),
      el("div", { class: "lab-line" }, this.classLabel, this.classSelect, this.sizeLabel,
        this.sizeInput, draw), this.sizeOut);
  }

  sentencePart() {
    [this.sentenceLabel, this.sentence] = labelled("sentence", t("Sentence"), el("input",
      { type: "text", "data-testid": "sentence",
        placeholder: isEnglish() ? EXAMPLE : t("e.g. {sentence}", { sentence: EXAMPLE }),
        autocomplete: "off", spellcheck: "false" }));
    this.sentence.addEventListener("keydown", (event) => {
      if (event.key === "Enter") this.sendText();
    });
    const go = button(t("Classify"), "classify", () => this.sendText());
    return el("fieldset", { class: "lab-fieldset" }, el("legend", { text: t("Your sentence") }),
      el("div", { class: "lab-line lab-sentence" }, this.sentenceLabel, this.sentence, go),
      el("p", { class: "lab-hint",
        text: t("Type a review and press Enter: lower-case words the net knows; unknown words become <unk>.") }));
  }

  /** Arrow keys on `element` (the input image) shift it. */
  bindArrows(element) {
    element.addEventListener("keydown", (event) => {
      const move = KEY_MOVES[event.key];
      if (!move || this.modality !== "image") return;
      event.preventDefault();
      this.shift(move[0], move[1]);
    });
  }

  index() {
    return this.probe && !this.probe.draw && !this.probe.text ? this.probe.index
      : Number(this.indexInput.value) || 0;
  }

  sample(index) {
    this.wantedShift = null;
    this.onProbe({ type: "probe", set: this.setSelect.value, index: Math.max(0, index) });
  }

  /** Move by (dy, dx), or back to no shift; the sample (or drawn image) stays. */
  shift(dy, dx, reset = false) {
    const p = this.probe;
    if (!p) return;
    const limit = Math.floor((this.size || this.dataSize) / 2);
    const clamp = (v) => Math.max(-limit, Math.min(limit, v));
    const from = this.wantedShift || p.shift || [0, 0];
    const shift = reset ? [0, 0] : [clamp(from[0] + dy), clamp(from[1] + dx)];
    this.wantedShift = shift;
    this.onProbe({ ...this.base(), shift });
  }

  /** The probe command that shows the current sample again. */
  base() {
    const p = this.probe;
    if (p.draw) {
      return { type: "probe", draw: p.draw,
        ...(this.size && this.size !== this.dataSize ? { size: this.size } : {}) };
    }
    return { type: "probe", set: p.set, index: p.index };
  }

  draw() {
    this.wantedShift = null;
    const size = Number(this.sizeInput.value);
    const command = { type: "probe", draw: this.classSelect.value };
    if (size !== this.dataSize) command.size = size;
    this.onProbe(command);
  }

  sendText() {
    const text = this.sentence.value.trim();
    if (text) this.onProbe({ type: "probe", text });
  }

  /** Show the frame's probe in the controls. */
  update(frame) {
    const p = frame.header.probe;
    if (!p) return;
    const shown = (p.shift || [0, 0]).join(",");
    if (this.wantedShift && this.wantedShift.join(",") === shown) this.wantedShift = null;
    this.probe = p;
    const input = frame.arrays["probe.input"];
    this.size = input && input.shape.length === 2 ? input.shape[0] : 0;
    if (!p.draw && !p.text) {
      this.setSelect.value = p.set;
      if (document.activeElement !== this.indexInput) this.indexInput.value = String(p.index);
    }
    if (this.modality === "image") this.showImageState(frame, p);
  }

  showImageState(frame, p) {
    const [dy, dx] = p.shift || [0, 0];
    this.shiftOut.textContent = t("{dy} down, {dx} right", { dy, dx });
    this.shiftOut.dataset.shift = `${dy},${dx}`;
    const names = (p.class_names || []).join("|");
    if (this.classSelect.dataset.names !== names) {
      this.classSelect.dataset.names = names;
      this.classSelect.replaceChildren(...(p.class_names || []).map((n) =>
        el("option", { value: n, text: t(n) })));
    }
    const entries = p.layers || [];
    const at = entries.findIndex((e) => e.type === "spp" || e.type === "global_max_pool");
    const pooled = at >= 0 ? frame.arrays[`probe.layers.${at}`] : null;
    const values = { size: this.size, n: pooled ? pooled.shape[0] : 0 };
    if (!pooled) this.sizeOut.textContent = t("input {size} × {size} (this net takes one size only)", values);
    else if (entries[at].type === "spp") {
      this.sizeOut.textContent = t("input {size} × {size} → spatial pyramid output: {n} numbers", values);
    } else {
      this.sizeOut.textContent = t("input {size} × {size} → global max pool output: {n} numbers", values);
    }
    this.sizeOut.dataset.size = String(this.size);
    this.sizeOut.dataset.pooledLength = pooled ? String(pooled.shape[0]) : "";
  }
}
