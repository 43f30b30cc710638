// Runs on the audio thread: the microphone (at the AudioContext's rate) → 16 kHz mono PCM16,
// posted to the page in chunks of `chunkSamples`. When the context already runs at 16 kHz
// (Chromium resamples the microphone for us) this is only float → int16; otherwise each output
// sample is the mean of the input samples it covers (a box filter: crude, but speech
// recognition does not mind, and it keeps aliasing of hiss above 8 kHz down).
const OUT_RATE = 16000;

class PickleMicProcessor extends AudioWorkletProcessor {
  /** @param {{ processorOptions?: { chunkMs?: number } }} [options] what the page gave AudioWorkletNode */
  constructor(options) {
    super();
    const chunkMs = (options && options.processorOptions && options.processorOptions.chunkMs) || 100;
    this.chunkSamples = Math.round((OUT_RATE * chunkMs) / 1000);
    this.ratio = sampleRate / OUT_RATE;
    this.out = new Int16Array(this.chunkSamples);
    this.n = 0;
    this.acc = 0;
    this.accCount = 0;
    this.pos = 0; // input samples consumed towards the next output sample
  }

  /** @param {number} v one sample, -1..1 */
  push(v) {
    const s = Math.max(-1, Math.min(1, v));
    this.out[this.n++] = s < 0 ? s * 0x8000 : s * 0x7fff;
    if (this.n === this.chunkSamples) {
      this.port.postMessage(this.out.buffer, [this.out.buffer]);
      this.out = new Int16Array(this.chunkSamples);
      this.n = 0;
    }
  }

  /** @param {Float32Array[][]} inputs */
  process(inputs) {
    const input = inputs[0];
    const ch = input && input[0];
    if (!ch) return true;
    if (this.ratio === 1) {
      for (const v of ch) this.push(v);
      return true;
    }
    for (const v of ch) {
      this.acc += v;
      this.accCount++;
      this.pos += 1;
      if (this.pos >= this.ratio) {
        this.pos -= this.ratio;
        this.push(this.acc / this.accCount);
        this.acc = 0;
        this.accCount = 0;
      }
    }
    return true;
  }
}

registerProcessor('pickle-mic', PickleMicProcessor);
