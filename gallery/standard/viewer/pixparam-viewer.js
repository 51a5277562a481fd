// pixparam-viewer.js: <pixparam-viewer src="models.json">, pixparam fits evaluated live in a WebGL2 shader.
//
// One dependency-free file, written by pixparam.export_web. It runs as a classic script (which is what
// pages opened from file:// can load) and as an ES module. Data files are scripts that call
// pixparamData(name, payload), so they load from file:// and from any static host alike.
//
// A family joins the viewer with one entry below: an encoding (ENCODINGS) and an activation (ACTIVATIONS)
// for an MLP family, or a renderer of its own kind (KINDS). The coordinates of a view are computed in
// float32 exactly as pixparam.web.view_coords computes them, so the shader and PyTorch evaluate the network
// at bit-identical points.
(() => {
  "use strict";
  if (typeof window === "undefined" || !window.customElements || customElements.get("pixparam-viewer")) return;

  // ------------------------------------------------------------------ data files
  const delivered = new Map(); // script URL (or inline name) -> payload
  const loading = new Map(); // URL -> Promise of payload
  window.pixparamData = function pixparamData(name, payload) {
    const script = document.currentScript;
    delivered.set(script && script.src ? script.src : name, payload);
  };

  // an absolute URL, or the name itself where there is no hierarchical base (an iframe's srcdoc)
  function resolve(file, base) {
    try {
      return new URL(file, base).href;
    } catch {
      return file;
    }
  }

  function loadScriptData(file, base) {
    if (delivered.has(file)) return Promise.resolve(delivered.get(file)); // inlined (pixparam.show)
    const url = resolve(file, base);
    if (delivered.has(url)) return Promise.resolve(delivered.get(url));
    if (!loading.has(url)) {
      loading.set(
        url,
        new Promise((resolve, reject) => {
          const s = document.createElement("script");
          s.src = url;
          s.async = true;
          s.onload = () => {
            s.remove();
            if (delivered.has(url)) resolve(delivered.get(url));
            else reject(new Error(`${file} is not a pixparam data file`));
          };
          s.onerror = () => {
            s.remove();
            reject(new Error(`cannot load ${url}`));
          };
          document.head.appendChild(s);
        }),
      );
    }
    return loading.get(url);
  }

  async function loadManifest(src, base) {
    if (delivered.has(src)) return delivered.get(src);
    const url = new URL(src, base);
    if (delivered.has(url.href)) return delivered.get(url.href);
    if (url.protocol === "file:") return loadScriptData(src.replace(/\.json$/, "") + ".js", base);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`cannot load ${url.href}: HTTP ${response.status}`);
    return response.json();
  }

  const B85 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";
  const B85_VALUE = new Uint8Array(128);
  for (let i = 0; i < B85.length; i++) B85_VALUE[B85.charCodeAt(i)] = i;

  function b85decode(text) {
    const n = text.length;
    const rest = n % 5;
    const out = new Uint8Array(Math.floor(n / 5) * 4 + (rest ? rest - 1 : 0));
    let o = 0;
    for (let i = 0; i < n; i += 5) {
      let acc = 0;
      for (let k = 0; k < 5; k++) acc = acc * 85 + (i + k < n ? B85_VALUE[text.charCodeAt(i + k)] : 84);
      for (let k = 0; k < 4 && o < out.length; k++) out[o++] = (acc >>> (24 - 8 * k)) & 255;
    }
    return out;
  }

  async function inflate(bytes) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  let F16 = null;
  function f16table() {
    if (!F16) {
      F16 = new Float32Array(65536);
      for (let h = 0; h < 65536; h++) {
        const sign = h & 0x8000 ? -1 : 1;
        const e = (h >> 10) & 31;
        const m = h & 1023;
        F16[h] = sign * (e === 0 ? m * 2 ** -24 : e === 31 ? (m ? NaN : Infinity) : (1 + m / 1024) * 2 ** (e - 15));
      }
    }
    return F16;
  }

  // The newest manifest format this viewer reads (1: float16/float32/uint8 arrays; 2: also 16-bit fixed point).
  const FORMAT_VERSION = 2;

  // One data file's arrays: base 85 -> deflate -> byte planes -> typed arrays (float16 widened to float32;
  // 16-bit fixed point, format 2, decoded per column as lo + step * code in float32, as pixparam.web.fixed16).
  async function decodeArrays(text, entries) {
    const blob = await inflate(b85decode(text));
    const arrays = {};
    for (const e of entries) {
      const size = { float16: 2, float32: 4, uint8: 1, uint16: 2 }[e.dtype];
      if (!size) throw new Error(`unknown dtype ${e.dtype}`);
      const n = e.nbytes / size;
      const bytes = new Uint8Array(e.nbytes);
      for (let k = 0; k < size; k++) {
        const plane = blob.subarray(e.offset + k * n, e.offset + (k + 1) * n);
        for (let i = 0; i < n; i++) bytes[i * size + k] = plane[i];
      }
      let values;
      if (e.dtype === "float16") {
        const table = f16table();
        const half = new Uint16Array(bytes.buffer);
        values = new Float32Array(n);
        for (let i = 0; i < n; i++) values[i] = table[half[i]];
      } else if (e.fixed16) {
        const codes = new Uint16Array(bytes.buffer);
        const lo = e.fixed16.lo.map(Math.fround);
        const step = e.fixed16.step.map(Math.fround);
        const k = lo.length;
        values = new Float32Array(n);
        for (let i = 0; i < n; i++) values[i] = Math.fround(lo[i % k] + Math.fround(step[i % k] * codes[i]));
      } else if (e.dtype === "uint16") values = new Uint16Array(bytes.buffer);
      else values = e.dtype === "float32" ? new Float32Array(bytes.buffer) : bytes;
      arrays[e.name] = { values, shape: e.shape };
    }
    return arrays;
  }

  // ------------------------------------------------------------------ views (mirrors pixparam.web.view_coords)
  const f32 = Math.fround;

  function viewCoords(W, H, width, height, view) {
    const v = view || {};
    const scale = f32(Math.min(f32(f32(width) / W), f32(f32(height) / H)) * f32(v.zoom ?? 1));
    const axis = (n, size, centre) => {
      const c = f32(centre ?? size / 2);
      const half = f32(n / 2);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const t = f32(f32(i + 0.5) - half);
        const p = f32(c + f32(t / scale));
        out[i] = f32(f32(f32(2 * p) / size) - 1);
      }
      return out;
    };
    return { xs: axis(width, W, v.x), ys: axis(height, H, v.y), scale };
  }

  // ------------------------------------------------------------------ GL helpers
  const TEXW = 1024; // texels per row of the data textures (a power of two: t & 1023, t >> 10)

  function glslFloat(v) {
    const s = f32(v).toPrecision(9);
    return /[.e]/.test(s) ? s : `${s}.0`;
  }

  function rgbaTexture(gl, values, texels) {
    const width = Math.max(1, Math.min(TEXW, texels));
    const height = Math.max(1, Math.ceil(texels / width));
    const data = new Float32Array(width * height * 4);
    data.set(values.subarray(0, Math.min(values.length, data.length)));
    const tex = gl.createTexture();
    gl.bindTexture(gl.TEXTURE_2D, tex);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA32F, width, height, 0, gl.RGBA, gl.FLOAT, data);
    nearest(gl);
    return tex;
  }

  function nearest(gl) {
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
  }

  function lineTexture(gl, tex, values) {
    gl.bindTexture(gl.TEXTURE_2D, tex);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.R32F, values.length, 1, 0, gl.RED, gl.FLOAT, values);
    nearest(gl);
  }

  function compile(gl, fragment) {
    const vertex = `#version 300 es
in vec2 aPos; void main() { gl_Position = vec4(aPos, 0.0, 1.0); }`;
    const program = gl.createProgram();
    for (const [type, source] of [
      [gl.VERTEX_SHADER, vertex],
      [gl.FRAGMENT_SHADER, fragment],
    ]) {
      const shader = gl.createShader(type);
      gl.shaderSource(shader, source);
      gl.compileShader(shader);
      if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(`shader: ${gl.getShaderInfoLog(shader)}`);
      gl.attachShader(program, shader);
    }
    gl.bindAttribLocation(program, 0, "aPos");
    gl.linkProgram(program);
    if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(`program: ${gl.getProgramInfoLog(program)}`);
    return program;
  }

  // The frame every field shader shares: the point's coordinates from the two coordinate textures.
  const HEADER = `#version 300 es
precision highp float; precision highp int; precision highp sampler2D;
uniform sampler2D uX, uY;
uniform ivec2 uOrigin;
uniform int uRows, uFlip;
out vec4 outColor;
vec2 point(out bool inside) {
  int i = int(gl_FragCoord.x) - uOrigin.x;
  int r = int(gl_FragCoord.y) - uOrigin.y;
  int j = uFlip == 1 ? uRows - 1 - r : r;
  vec2 p = vec2(texelFetch(uX, ivec2(i, 0), 0).r, texelFetch(uY, ivec2(j, 0), 0).r);
  inside = all(lessThanEqual(abs(p), vec2(1.0)));
  return p;
}
// sin and cos to about one float32 ulp, where a GPU's own may be off by 2e-4 (SwiftShader's are), which the
// later layers of a sine or Gabor MLP amplify: the nearest multiple n of pi/2 is subtracted in three parts
// (Cody and Waite), then Cephes' minimax polynomials on [-pi/4, pi/4] (exact for |x| < 1e5).
void sincos4(vec4 x, out vec4 s, out vec4 c) {
  vec4 n = floor(x * 0.636619772 + 0.5);
  vec4 r = ((x - n * 1.5703125) - n * 4.83751296997070e-4) - n * 7.54978995489188e-8;
  vec4 z = r * r;
  vec4 ps = ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * r + r;
  vec4 pc = ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z - 0.5 * z + 1.0;
  ivec4 q = ivec4(n) & 3;
  bvec4 odd = equal(q & 1, ivec4(1));
  vec4 a = mix(ps, pc, odd);
  vec4 b = mix(pc, ps, odd);
  s = mix(a, -a, equal(q & 2, ivec4(2)));
  c = mix(b, -b, equal((q + 1) & 2, ivec4(2)));
}
vec4 sin4(vec4 x) { vec4 s, c; sincos4(x, s, c); return s; }
vec4 cos4(vec4 x) { vec4 s, c; sincos4(x, s, c); return c; }
vec4 colour(vec4 raw, int channels) {
  vec4 c = clamp(0.5 + 0.5 * raw, 0.0, 1.0);
  return channels == 1 ? vec4(c.xxx, 1.0) : channels == 3 ? vec4(c.xyz, 1.0) : c;
}
`;

  // ------------------------------------------------------------------ families
  // An encoding fills the MLP's input h[0 .. n4) (vec4s) from the point p. Each entry gives:
  //   n4(meta): vec4s of input; column(meta, c): where input feature c lands (0-based, in floats);
  //   textures(meta, arrays): { name: Float32Array of RGBA texels }; glsl(meta): declarations + `void encode(vec2 p)`.
  const ENCODINGS = {
    raw: {
      n4: () => 1,
      column: (m, c) => c,
      textures: () => ({}),
      glsl: () => "void encode(vec2 p) { h[0] = vec4(p, 0.0, 0.0); }",
    },
    fourier: {
      // [sin, cos](2π u·B), u = (p + 1) / 2; sines in h[0 .. m4), cosines in h[m4 .. 2 m4).
      n4: (m) => 2 * Math.ceil(m.n_features / 4),
      column: (m, c) => (c < m.n_features ? c : 4 * Math.ceil(m.n_features / 4) + c - m.n_features),
      textures: (m, a) => {
        const n = m.n_features;
        const m4 = Math.ceil(n / 4);
        const t = new Float32Array(8 * m4);
        for (let f = 0; f < n; f++) {
          t[f] = a.B.values[f];
          t[4 * m4 + f] = a.B.values[n + f];
        }
        return { uB: t };
      },
      glsl: (m) => {
        const m4 = Math.ceil(m.n_features / 4);
        return `uniform sampler2D uB;
void encode(vec2 p) {
  vec2 u = (p + 1.0) * 0.5;
  for (int q = 0; q < ${m4}; q++) {
    vec4 phase = 6.283185307179586 * (u.x * T(uB, q) + u.y * T(uB, ${m4} + q));
    sincos4(phase, h[q], h[${m4} + q]);
  }
}`;
      },
    },
    hash: {
      // instant-ngp's multiresolution hash grid, as pixparam/fields/hashgrid.py evaluates it.
      n4: (m) => Math.ceil(m.inputs / 4),
      column: (m, c) => c,
      textures: (m, a) => {
        const f = m.features_per_level;
        const f4 = Math.ceil(f / 4);
        const rows = a.table.shape[0];
        const t = new Float32Array(rows * f4 * 4);
        for (let r = 0; r < rows; r++) for (let k = 0; k < f; k++) t[r * f4 * 4 + k] = a.table.values[r * f + k];
        return { uTable: t };
      },
      glsl: (m) => {
        const L = m.resolutions.length;
        const F = m.features_per_level;
        const f4 = Math.ceil(F / 4);
        const n = 4 * Math.ceil(m.inputs / 4);
        const list = (xs) => xs.join(", ");
        return `uniform sampler2D uTable;
const int RES[${L}] = int[${L}](${list(m.resolutions)});
const int OFFSET[${L}] = int[${L}](${list(m.offsets)});
const bool DENSE[${L}] = bool[${L}](${list(m.dense)});
void encode(vec2 p) {
  float e[${n}];
  for (int k = 0; k < ${n}; k++) e[k] = 0.0;
  vec2 u = clamp((p + 1.0) * 0.5, 0.0, 1.0);
  for (int l = 0; l < ${L}; l++) {
    float res = float(RES[l]);
    vec2 pos = u * res;
    vec2 cell = min(floor(pos), vec2(res - 1.0));
    vec2 frac = pos - cell;
    ivec2 c = ivec2(cell);
    for (int k = 0; k < 4; k++) {
      ivec2 d = ivec2(k & 1, k >> 1);
      ivec2 ij = c + d;
      uint index = DENSE[l] ? uint(ij.y * (RES[l] + 1) + ij.x)
                            : ((uint(ij.y) * ${m.prime}u) ^ uint(ij.x)) % ${m.table_size}u;
      int row = int(index) + OFFSET[l];
      float w = (d.x == 1 ? frac.x : 1.0 - frac.x) * (d.y == 1 ? frac.y : 1.0 - frac.y);
      for (int f = 0; f < ${F}; f++) {
        vec4 t = T(uTable, row * ${f4} + (f >> 2));
        e[l * ${F} + f] += w * t[f & 3];
      }
    }
  }
  for (int k = 0; k < ${n / 4}; k++) h[k] = vec4(e[4 * k], e[4 * k + 1], e[4 * k + 2], e[4 * k + 3]);
}`;
      },
    },
  };

  // An activation: GLSL of a vec4 pre-activation `s`, with the family's numeric options (omega0, ...).
  const ACTIVATIONS = {
    sine: (o) => `sin4(${glslFloat(o.omega0)} * s)`,
    finer: (o) => `sin4(${glslFloat(o.omega0)} * (abs(s) + 1.0) * s)`, // FINER: sin(omega0 (|z| + 1) z)
    relu: () => "max(s, vec4(0.0))",
  };

  // Linear layers in one RGBA32F weight texture: per layer its bias (out4 texels; none when it has no bias),
  // then out4·4 rows of in4 texels, zero-padded to whole vec4s. `column(c)` places input feature c in a row.
  function placeLinear(out, inp, in4, at, bias = true) {
    const out4 = Math.ceil(out / 4);
    const weight = at + (bias ? out4 : 0);
    return { out, inp, in4, out4, bias: bias ? at : -1, weight, end: weight + out4 * 4 * in4 };
  }

  function fillLinear(data, L, w, b, column = (c) => c) {
    for (let o = 0; o < L.out; o++) {
      if (b) data[4 * L.bias + o] = b[o];
      for (let c = 0; c < L.inp; c++) data[4 * (L.weight + o * L.in4) + column(c)] = w[o * L.inp + c];
    }
  }

  // GLSL: `acc op= W v` for output vec4 `o` of layer L (rows from texel L.weight), v = src[0 .. in4).
  function product(L, acc, op, src) {
    const r = `${L.weight} + o * ${4 * L.in4}`;
    return `for (int k = 0; k < ${L.in4}; k++) {
      vec4 v = ${src}[k];
      ${acc} ${op} vec4(dot(T(uW, ${r} + k), v), dot(T(uW, ${r} + ${L.in4} + k), v),
                dot(T(uW, ${r} + ${2 * L.in4} + k), v), dot(T(uW, ${r} + ${3 * L.in4} + k), v));
    }`;
  }

  // texel i of a data texture laid out TEXW texels a row
  const TEXEL = `vec4 T(sampler2D t, int i) { return texelFetch(t, ivec2(i & ${TEXW - 1}, i >> ${Math.log2(TEXW)}), 0); }`;

  // The MLP kind: an encoding, then linear layers (placeLinear's layout).
  function buildMlp(gl, model, arrays) {
    const meta = model.field;
    const enc = ENCODINGS[meta.encoding.name];
    const act = ACTIVATIONS[meta.activation.name];
    if (!enc) throw new Error(`this viewer has no encoding "${meta.encoding.name}"`);
    if (!act) throw new Error(`this viewer has no activation "${meta.activation.name}"`);
    const layers = [];
    let texels = 0;
    let in4 = enc.n4(meta.encoding);
    let max4 = in4;
    for (const [out, inp] of meta.layers) {
      const L = placeLinear(out, inp, in4, texels);
      layers.push(L);
      texels = L.end;
      max4 = Math.max(max4, L.out4);
      in4 = L.out4;
    }
    const data = new Float32Array(texels * 4);
    layers.forEach((L, i) => {
      const column = i === 0 ? (c) => enc.column(meta.encoding, c) : undefined;
      fillLinear(data, L, arrays[`layer${i}.weight`].values, arrays[`layer${i}.bias`].values, column);
    });
    const code = layers.map((L, i) => {
      const src = i % 2 ? "g" : "h";
      const dst = i % 2 ? "h" : "g";
      const last = i === layers.length - 1;
      return `for (int o = 0; o < ${L.out4}; o++) {
    vec4 s = T(uW, ${L.bias} + o);
    ${product(L, "s", "+=", src)}
    ${last ? "raw = s;" : `${dst}[o] = ${act(meta.activation.options)};`}
  }`;
    });
    const source = `${HEADER}
uniform sampler2D uW;
${TEXEL}
vec4 h[${max4}];
vec4 g[${max4}];
${enc.glsl(meta.encoding)}
void main() {
  bool inside;
  vec2 p = point(inside);
  if (!inside) { outColor = vec4(0.0); return; }
  encode(p);
  vec4 raw = vec4(0.0);
  ${code.join("\n  ")}
  outColor = colour(raw, ${model.image_shape[2]});
}`;
    const program = compile(gl, source);
    const textures = { uW: rgbaTexture(gl, data, texels) };
    for (const [name, t] of Object.entries(enc.textures(meta.encoding, arrays))) {
      textures[name] = rgbaTexture(gl, t, t.length / 4);
    }
    return { program, textures };
  }

  // The grid kind (pixparam/fields/grid.py): h × w cells of C values, one RGBA texel per cell (row-major),
  // read with texelFetch (no hardware filtering). Per axis, u = (x + 1) / 2 · n - 0.5; the taps are the 4
  // (bicubic: Keys, a = -0.5) or 2 (bilinear) cells around u, those outside the grid weigh 0 and the rest
  // are renormalised, exactly as axis_taps computes them (there in float64, here in float32).
  function buildGrid(gl, model, arrays) {
    const { shape, channels, taps } = model.field;
    const [h, w] = shape;
    const values = arrays.values.values;
    const data = new Float32Array(h * w * 4);
    for (let k = 0; k < h * w; k++) for (let c = 0; c < channels; c++) data[4 * k + c] = values[k * channels + c];
    const kernel =
      taps === 4
        ? "d <= 1.0 ? (1.5 * d - 2.5) * d * d + 1.0 : d < 2.0 ? ((d - 5.0) * d + 8.0) * d * -0.5 + 2.0 : 0.0"
        : "max(1.0 - d, 0.0)";
    const source = `${HEADER}
uniform sampler2D uV;
${TEXEL}
void axis(float x, int n, out int cells[${taps}], out float weights[${taps}]) {
  float u = (x + 1.0) * 0.5 * float(n) - 0.5;
  float first = floor(u) - ${taps === 4 ? "1.0" : "0.0"};
  float sum = 0.0;
  for (int k = 0; k < ${taps}; k++) {
    float j = first + float(k);
    float d = abs(u - j);
    float wk = (j >= 0.0 && j < float(n)) ? (${kernel}) : 0.0;
    cells[k] = clamp(int(j), 0, n - 1);
    weights[k] = wk;
    sum += wk;
  }
  for (int k = 0; k < ${taps}; k++) weights[k] /= sum;
}
void main() {
  bool inside;
  vec2 p = point(inside);
  if (!inside) { outColor = vec4(0.0); return; }
  int cx[${taps}], cy[${taps}];
  float wx[${taps}], wy[${taps}];
  axis(p.x, ${w}, cx, wx);
  axis(p.y, ${h}, cy, wy);
  vec4 acc = vec4(0.0);
  for (int a = 0; a < ${taps}; a++)
    for (int b = 0; b < ${taps}; b++) acc += T(uV, cy[a] * ${w} + cx[b]) * (wy[a] * wx[b]);
  outColor = colour(2.0 * acc - 1.0, ${channels});
}`;
    return { program: compile(gl, source), textures: { uV: rgbaTexture(gl, data, h * w) } };
  }

  // The wire kind (pixparam/fields/wire.py), a complex Gabor MLP in real arithmetic: z = first(p), real;
  // then per hidden layer (A + iB)(hr + i hi) + (c + id) after the Gabor wavelet
  // exp(-omega0 zi - sigma0² |z|²) (cos, sin)(omega0 zr); the output is A hr - B hi + c. The exponent is at
  // most omega0² / (4 sigma0²) (1/4 at omega0 = sigma0): exp never overflows, and underflows to 0 far from z = 0.
  function buildWire(gl, model, arrays) {
    const { widths, channels, omega0, sigma0 } = model.field;
    const a = (name) => arrays[name].values;
    let texels = 0;
    const place = (out, inp, bias = true) => {
      const L = placeLinear(out, inp, Math.ceil(inp / 4), texels, bias);
      texels = L.end;
      return L;
    };
    const first = place(widths[0], 2);
    const hidden = widths.slice(1).map((out, i) => ({ re: place(out, widths[i]), im: place(out, widths[i]) }));
    const last = widths[widths.length - 1];
    const outRe = place(channels, last);
    const outIm = place(channels, last, false);
    const data = new Float32Array(texels * 4);
    fillLinear(data, first, a("first.weight"), a("first.bias"));
    hidden.forEach(({ re, im }, i) => {
      fillLinear(data, re, a(`hidden_re.${i}.weight`), a(`hidden_re.${i}.bias`));
      fillLinear(data, im, a(`hidden_im.${i}.weight`), a(`hidden_im.${i}.bias`));
    });
    fillLinear(data, outRe, a("out_re.weight"), a("out_re.bias"));
    fillLinear(data, outIm, a("out_im.weight"), null);
    const max4 = Math.max(...widths.map((n) => Math.ceil(n / 4)));
    const bufs = [
      ["hr", "hi"],
      ["gr", "gi"],
    ];
    const code = [
      `for (int o = 0; o < ${first.out4}; o++) {
    vec4 s = T(uW, ${first.bias} + o);
    ${product(first, "s", "+=", "x")}
    gabor(s, vec4(0.0), hr[o], hi[o]);
  }`,
    ];
    hidden.forEach(({ re, im }, i) => {
      const [sr, si] = bufs[i % 2];
      const [dr, di] = bufs[(i + 1) % 2];
      code.push(`for (int o = 0; o < ${re.out4}; o++) {
    vec4 zr = T(uW, ${re.bias} + o), q = vec4(0.0), zi = T(uW, ${im.bias} + o), t = vec4(0.0);
    ${product(re, "zr", "+=", sr)}
    ${product(im, "q", "+=", si)}
    ${product(im, "zi", "+=", sr)}
    ${product(re, "t", "+=", si)}
    gabor(zr - q, zi + t, ${dr}[o], ${di}[o]);
  }`);
    });
    const [hr, hi] = bufs[hidden.length % 2];
    code.push(`{
    int o = 0;
    vec4 s = T(uW, ${outRe.bias}), q = vec4(0.0);
    ${product(outRe, "s", "+=", hr)}
    ${product(outIm, "q", "+=", hi)}
    raw = s - q;
  }`);
    const source = `${HEADER}
uniform sampler2D uW;
${TEXEL}
vec4 x[1];
vec4 hr[${max4}], hi[${max4}], gr[${max4}], gi[${max4}];
void gabor(vec4 zr, vec4 zi, out vec4 re, out vec4 im) {
  vec4 envelope = exp(${glslFloat(-omega0)} * zi - ${glslFloat(sigma0 * sigma0)} * (zr * zr + zi * zi));
  vec4 phase = ${glslFloat(omega0)} * zr;
  vec4 s, c;
  sincos4(phase, s, c);
  re = envelope * c;
  im = envelope * s;
}
void main() {
  bool inside;
  vec2 p = point(inside);
  if (!inside) { outColor = vec4(0.0); return; }
  x[0] = vec4(p, 0.0, 0.0);
  vec4 raw = vec4(0.0);
  ${code.join("\n  ")}
  outColor = colour(raw, ${channels});
}`;
    return { program: compile(gl, source), textures: { uW: rgbaTexture(gl, data, texels) } };
  }

  // The gaussians kind (pixparam/fields/gaussians.py and splat.py): w_i(p) = exp(-d²/2) where the Mahalanobis
  // d² = |L⁻¹(p - mu)|² <= cutoff², else 0; colour = sum w c (blending "sum") or sum w c / (sum w + eps),
  // with eps · (the Gaussians' mean colour) added to sum w c when fill is "mean" (points no Gaussian reaches).
  // Each Gaussian is listed in every cell of a K × K grid over the image that its cutoff box reaches (the
  // box widened as splat.py widens it), so a fragment visits only its cell's candidates; a candidate beyond
  // the cutoff weighs 0, so the cells change the work, never the result.
  function buildGaussians(gl, model, arrays) {
    const { n_gaussians: n, channels, cutoff, blending, fill, eps } = model.field;
    const mu = arrays.means.values;
    const ch = arrays.chol.values;
    const col = arrays.colours.values;
    const K = Math.max(1, Math.min(256, Math.round(Math.sqrt(n / 2))));
    const gauss = new Float32Array(n * 12); // per Gaussian 3 texels: (mx, my, 1/l11, l21), (1/l22), colour
    const cells = Array.from({ length: K * K }, () => []);
    for (let i = 0; i < n; i++) {
      const l11 = f32(Math.exp(ch[3 * i]));
      const l21 = f32(ch[3 * i + 1] * l11);
      const l22 = f32(Math.exp(ch[3 * i + 2]));
      gauss.set([mu[2 * i], mu[2 * i + 1], f32(1 / l11), l21, f32(1 / l22)], 12 * i);
      for (let c = 0; c < channels; c++) gauss[12 * i + 8 + c] = col[i * channels + c];
      const hx = cutoff * (1 + 1e-5) * l11 + 1e-6; // + 1e-6: a fragment on a cell edge may round into either
      const hy = cutoff * (1 + 1e-5) * Math.hypot(l21, l22) + 1e-6;
      const cell = (v) => Math.floor(((v + 1) / 2) * K);
      const x0 = Math.max(0, cell(mu[2 * i] - hx));
      const x1 = Math.min(K - 1, cell(mu[2 * i] + hx));
      const y0 = Math.max(0, cell(mu[2 * i + 1] - hy));
      const y1 = Math.min(K - 1, cell(mu[2 * i + 1] + hy));
      for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) cells[y * K + x].push(i);
    }
    const table = new Float32Array(K * K * 4); // per cell: (first entry, entries)
    const entries = [];
    cells.forEach((list, k) => {
      table[4 * k] = entries.length;
      table[4 * k + 1] = list.length;
      for (const i of list) entries.push(i);
    });
    const list = new Float32Array(Math.max(1, entries.length) * 4);
    entries.forEach((i, k) => (list[4 * k] = i));
    const normalized = blending === "normalized";
    const mean = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) for (let c = 0; c < channels; c++) mean[c] += col[i * channels + c] / n;
    const prior = fill === "mean" ? `vec4(${mean.map((v) => glslFloat(eps * v)).join(", ")})` : "vec4(0.0)";
    const source = `${HEADER}
uniform sampler2D uG, uCells, uList;
${TEXEL}
void main() {
  bool inside;
  vec2 p = point(inside);
  if (!inside) { outColor = vec4(0.0); return; }
  ivec2 c = clamp(ivec2(floor((p + 1.0) * 0.5 * ${glslFloat(K)})), ivec2(0), ivec2(${K - 1}));
  vec4 cell = T(uCells, c.y * ${K} + c.x);
  int first = int(cell.x), count = int(cell.y);
  vec4 acc = vec4(0.0);
  float wsum = 0.0;
  for (int k = 0; k < count; k++) {
    int i = int(T(uList, first + k).x);
    vec4 g = T(uG, 3 * i);
    float z1 = (p.x - g.x) * g.z;
    float z2 = (p.y - g.y - g.w * z1) * T(uG, 3 * i + 1).x;
    float d2 = z1 * z1 + z2 * z2;
    if (d2 <= ${glslFloat(cutoff * cutoff)}) {
      float w = exp(-0.5 * d2);
      acc += w * T(uG, 3 * i + 2);
      wsum += w;
    }
  }
  vec4 v = ${normalized ? `(acc + ${prior}) / (wsum + ${glslFloat(eps)})` : "acc"};
  outColor = colour(2.0 * v - 1.0, ${channels});
}`;
    return {
      program: compile(gl, source),
      textures: {
        uG: rgbaTexture(gl, gauss, 3 * n),
        uCells: rgbaTexture(gl, table, K * K),
        uList: rgbaTexture(gl, list, list.length / 4),
      },
    };
  }

  // Renderers by FieldData.kind; each returns { program, textures } for a full-screen draw.
  const KINDS = { mlp: buildMlp, grid: buildGrid, wire: buildWire, gaussians: buildGaussians };

  // The pixel counterpart: blocks (nearest) or PIL's bicubic (a = -0.5, weights renormalised at edges).
  const PIXELS_SHADER = `${HEADER}
uniform sampler2D uPix;
uniform ivec2 uSize;
uniform int uBicubic, uChannels;
float keys(float t) {
  t = abs(t);
  return t < 1.0 ? (1.5 * t - 2.5) * t * t + 1.0 : t < 2.0 ? (((t - 5.0) * t + 8.0) * t - 4.0) * -0.5 : 0.0;
}
void main() {
  bool inside;
  vec2 p = point(inside);
  if (!inside) { outColor = vec4(0.0); return; }
  vec2 q = (p + 1.0) * 0.5 * vec2(uSize);
  vec4 c;
  if (uBicubic == 0) {
    c = texelFetch(uPix, clamp(ivec2(floor(q)), ivec2(0), uSize - 1), 0);
  } else {
    ivec2 b = ivec2(floor(q)) - 2;
    vec4 acc = vec4(0.0);
    float wsum = 0.0;
    for (int dy = 0; dy < 5; dy++) {
      int y = b.y + dy;
      float wy = (y >= 0 && y < uSize.y) ? keys(float(y) + 0.5 - q.y) : 0.0;
      if (wy == 0.0) continue;
      vec4 row = vec4(0.0);
      float rsum = 0.0;
      for (int dx = 0; dx < 5; dx++) {
        int x = b.x + dx;
        float wx = (x >= 0 && x < uSize.x) ? keys(float(x) + 0.5 - q.x) : 0.0;
        row += wx * texelFetch(uPix, ivec2(x, y), 0);
        rsum += wx;
      }
      acc += wy * row / rsum;
      wsum += wy;
    }
    c = clamp(acc / wsum, 0.0, 1.0);
  }
  outColor = uChannels == 4 ? c : vec4(c.xyz, 1.0);
}`;

  // ------------------------------------------------------------------ the element
  const STYLE = `
:host { display: block; font: 14px/1.4 system-ui, sans-serif; color: #222; --pp-accent: #1565c0; }
.frame { position: relative; margin: 0 auto; width: min(100%, calc(72vh * var(--ar, 1)));
  aspect-ratio: var(--ar, 1); background: repeating-conic-gradient(#e6e6e6 0 25%, #fafafa 0 50%) 0 0 / 16px 16px;
  user-select: none; -webkit-user-select: none; }
canvas { position: absolute; inset: 0; width: 100%; height: 100%; touch-action: pan-y; cursor: grab; outline: none; }
canvas:focus-visible { box-shadow: 0 0 0 3px var(--pp-accent); }
.frame.active canvas { box-shadow: 0 0 0 2px var(--pp-accent); }
.handle { position: absolute; top: 0; bottom: 0; width: 24px; margin-left: -12px; cursor: ew-resize; touch-action: none; }
.handle::before { content: ""; position: absolute; left: 11px; top: 0; bottom: 0; width: 2px; background: #fff;
  box-shadow: 0 0 0 1px rgba(0,0,0,.35); }
.handle::after { content: "\\2194"; position: absolute; left: 0; top: calc(50% - 12px); width: 24px; height: 24px;
  border-radius: 50%; background: #fff; color: #333; text-align: center; line-height: 24px; font-size: 14px;
  box-shadow: 0 1px 3px rgba(0,0,0,.4); }
.handle:focus-visible::after { box-shadow: 0 0 0 3px var(--pp-accent); }
.side .handle { display: none; }
.tag { position: absolute; top: 6px; padding: 1px 6px; border-radius: 3px; background: rgba(0,0,0,.55);
  color: #fff; font-size: 12px; pointer-events: none; }
.tag.net { left: 6px; } .tag.pix { right: 6px; }
.hint { position: absolute; left: 50%; bottom: 8px; transform: translateX(-50%); padding: 3px 8px; border-radius: 4px;
  background: rgba(0,0,0,.7); color: #fff; font-size: 12px; pointer-events: none; opacity: 0; transition: opacity .3s; }
.hint.show { opacity: 1; }
.controls { display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: center; margin: 8px auto 2px; max-width: 100%; }
.controls label { display: inline-flex; gap: 6px; align-items: center; }
.controls input[type=range] { width: min(240px, 42vw); }
select, button { font: inherit; padding: 2px 6px; }
.numbers { display: flex; flex-wrap: wrap; gap: 2px 18px; font-variant-numeric: tabular-nums; color: #333; }
.numbers b { font-weight: 600; }
.error { color: #b00020; }
[hidden] { display: none !important; }
`;

  const HTML = `
<div class="frame" part="frame">
  <canvas tabindex="0" role="img" aria-roledescription="zoomable image"></canvas>
  <div class="handle" role="slider" tabindex="0" aria-label="split between network and pixels"
       aria-valuemin="0" aria-valuemax="100"></div>
  <span class="tag net">network</span><span class="tag pix">pixels</span>
  <div class="hint"></div>
</div>
<div class="controls" part="controls">
  <label class="family-box">family <select class="family" aria-label="family"></select></label>
  <label class="ladder-box">budget <input type="range" class="budget" min="0" max="0" step="1"
    aria-label="parameter budget"> <output class="budget-out"></output></label>
  <label>layout <select class="layout" aria-label="layout">
    <option value="split">split</option><option value="side">side by side</option></select></label>
  <label>pixels <select class="interp" aria-label="pixel display">
    <option value="blocks">blocks</option><option value="bicubic">bicubic</option></select></label>
  <button class="reset" type="button">reset view</button>
  <button class="download" type="button">download PNG</button>
</div>
<div class="numbers" part="numbers" aria-live="polite"></div>`;

  const fmtCount = (n) =>
    n >= 1e6 ? `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(n >= 1e4 ? 0 : 1)}k` : `${n}`;
  // numbers and their units never break apart (U+00A0)
  const fmtBytes = (n) =>
    n >= 1e6 ? `${(n / 1e6).toFixed(2)}\u00a0MB` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}\u00a0KB` : `${n}\u00a0B`;
  const fmtDb = (v) => (v === null || v === undefined ? "–" : `${v.toFixed(1)}\u00a0dB`);

  class PixparamViewer extends HTMLElement {
    static get observedAttributes() {
      return ["src", "layout", "pixels"];
    }

    constructor() {
      super();
      this.attachShadow({ mode: "open" }).innerHTML = `<style>${STYLE}</style>${HTML}`;
      const $ = (s) => this.shadowRoot.querySelector(s);
      this.ui = {
        frame: $(".frame"), canvas: $("canvas"), handle: $(".handle"), hint: $(".hint"),
        family: $(".family"), familyBox: $(".family-box"), budget: $(".budget"), budgetOut: $(".budget-out"),
        ladderBox: $(".ladder-box"), layout: $(".layout"), interp: $(".interp"), reset: $(".reset"),
        download: $(".download"), numbers: $(".numbers"), tagPix: $(".tag.pix"),
      };
      this.models = [];
      this.index = 0;
      this.view = {};
      this.split = 0.5;
      this.frameMs = null;
      this.resources = new Map();
      this.pointers = new Map();
      this.ready = new Promise((resolve, reject) => {
        this._resolveReady = resolve;
        this._rejectReady = reject;
      });
      this.ready.catch(() => {});
      this._bind();
    }

    connectedCallback() {
      if (!this._started && this.getAttribute("src")) this._start(this.getAttribute("src"));
    }

    attributeChangedCallback(name, old, value) {
      if (name === "src" && value && this.isConnected && !this._started) this._start(value);
      if (name === "layout" && value) this.ui.layout.value = value;
      if (name === "pixels" && value) this.ui.interp.value = value;
      this._layoutChanged();
    }

    /** Show the models of a manifest (what models.json holds); data files resolve against `base`. */
    async setManifest(manifest, base = document.baseURI) {
      this._started = true;
      try {
        if (!manifest || manifest.format !== "pixparam.web") throw new Error("not a pixparam web manifest");
        if ((manifest.format_version ?? 1) > FORMAT_VERSION)
          throw new Error(
            `this export is format ${manifest.format_version}, newer than this viewer reads (${FORMAT_VERSION}); ` +
              "use the pixparam-viewer.js written with it"
          );
        this.base = base;
        this.models = manifest.models;
        this._fillControls();
        await this.select(0);
        this._resolveReady(this);
        this.dispatchEvent(new CustomEvent("pixparam-ready", { detail: { models: this.models.length } }));
      } catch (err) {
        this._fail(err);
      }
      return this;
    }

    async _start(src) {
      this._started = true;
      try {
        const base = resolve(src, document.baseURI);
        await this.setManifest(await loadManifest(src, document.baseURI), base);
      } catch (err) {
        this._fail(err);
      }
    }

    _fail(err) {
      this.ui.numbers.innerHTML = "";
      const line = document.createElement("span");
      line.className = "error";
      line.textContent = `pixparam viewer: ${err.message || err}`;
      this.ui.numbers.append(line);
      this._rejectReady(err);
    }

    get gl() {
      if (!this._gl) {
        const gl = this.ui.canvas.getContext("webgl2", { premultipliedAlpha: false, antialias: false });
        if (!gl) throw new Error("this browser has no WebGL2");
        this._floatTarget = !!gl.getExtension("EXT_color_buffer_float");
        const buffer = gl.createBuffer();
        gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
        gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 3, -1, -1, 3]), gl.STATIC_DRAW);
        gl.enableVertexAttribArray(0);
        gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
        this._xTex = gl.createTexture();
        this._yTex = gl.createTexture();
        this._pixProgram = compile(gl, PIXELS_SHADER);
        this._gl = gl;
      }
      return this._gl;
    }

    /** The model shown now (an entry of models.json). */
    get model() {
      return this.models[this.index];
    }

    /** Show model `index` (loading its data first). */
    async select(index) {
      const i = Math.max(0, Math.min(this.models.length - 1, index | 0));
      await this._resources(i);
      this.index = i;
      this.ui.budget.value = String(this._rungs().indexOf(i));
      this.ui.family.value = this.models[i].family;
      this._layoutChanged();
      this._showNumbers();
      this.requestDraw();
    }

    async _resources(i) {
      if (!this.resources.has(i)) {
        const model = this.models[i];
        const promise = (async () => {
          const text = await loadScriptData(model.weights.file, this.base);
          const arrays = await decodeArrays(text, model.weights.arrays);
          const kind = KINDS[model.kind];
          if (!kind) throw new Error(`this viewer cannot draw fields of kind "${model.kind}"`);
          const gl = this.gl;
          const field = kind(gl, model, arrays);
          let pixels = null;
          if (model.pixels) {
            const ptext = await loadScriptData(model.pixels.file, this.base);
            const small = (await decodeArrays(ptext, model.pixels.arrays)).pixels.values;
            const [h, w, c] = model.pixels.shape;
            const rgba = new Uint8Array(w * h * 4);
            for (let k = 0; k < w * h; k++) {
              for (let ch = 0; ch < 3; ch++) rgba[4 * k + ch] = small[k * c + (c >= 3 ? ch : 0)];
              rgba[4 * k + 3] = c === 4 ? small[k * c + 3] : 255;
            }
            const tex = gl.createTexture();
            gl.bindTexture(gl.TEXTURE_2D, tex);
            gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
            gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, w, h, 0, gl.RGBA, gl.UNSIGNED_BYTE, rgba);
            nearest(gl);
            pixels = { tex, w, h, c };
          }
          return { field, pixels };
        })();
        this.resources.set(i, promise);
        promise.catch(() => this.resources.delete(i));
      }
      return this.resources.get(i);
    }

    // ---------------------------------------------------------------- drawing
    _useCoords(gl, W, H, width, height, view) {
      const { xs, ys, scale } = viewCoords(W, H, width, height, view);
      gl.activeTexture(gl.TEXTURE0);
      lineTexture(gl, this._xTex, xs);
      gl.activeTexture(gl.TEXTURE1);
      lineTexture(gl, this._yTex, ys);
      return scale;
    }

    _drawLayer(gl, res, layer, origin, rows, flip, bicubic) {
      let program;
      let textures = {};
      if (layer === "pixels") {
        program = this._pixProgram;
        gl.useProgram(program);
        textures = { uPix: res.pixels.tex };
        gl.uniform2i(gl.getUniformLocation(program, "uSize"), res.pixels.w, res.pixels.h);
        gl.uniform1i(gl.getUniformLocation(program, "uBicubic"), bicubic ? 1 : 0);
        gl.uniform1i(gl.getUniformLocation(program, "uChannels"), res.pixels.c);
      } else {
        program = res.field.program;
        textures = res.field.textures;
        gl.useProgram(program);
      }
      gl.uniform1i(gl.getUniformLocation(program, "uX"), 0);
      gl.uniform1i(gl.getUniformLocation(program, "uY"), 1);
      gl.uniform2i(gl.getUniformLocation(program, "uOrigin"), origin[0], origin[1]);
      gl.uniform1i(gl.getUniformLocation(program, "uRows"), rows);
      gl.uniform1i(gl.getUniformLocation(program, "uFlip"), flip ? 1 : 0);
      let unit = 2;
      for (const [name, tex] of Object.entries(textures)) {
        gl.activeTexture(gl.TEXTURE0 + unit);
        gl.bindTexture(gl.TEXTURE_2D, tex);
        gl.uniform1i(gl.getUniformLocation(program, name), unit);
        unit++;
      }
      gl.drawArrays(gl.TRIANGLES, 0, 3);
    }

    /**
     * The RGBA values (floats in [0, 1]) the viewer draws for a view, row-major from the top-left.
     * options.layer: "network" (default) or "pixels"; options.pixels: "blocks" or "bicubic";
     * options.model: a model index (default: the one shown).
     */
    async renderFloats(width, height, view = {}, options = {}) {
      await this.ready;
      const i = options.model ?? this.index;
      const res = await this._resources(i);
      const layer = options.layer || "network";
      if (layer === "pixels" && !res.pixels) throw new Error("this model has no pixel counterpart");
      const gl = this.gl;
      const t0 = performance.now();
      const float = this._floatTarget;
      gl.activeTexture(gl.TEXTURE15); // a unit no shader samples: the target is never read while drawn
      const tex = gl.createTexture();
      gl.bindTexture(gl.TEXTURE_2D, tex);
      gl.texImage2D(gl.TEXTURE_2D, 0, float ? gl.RGBA32F : gl.RGBA8, width, height, 0, gl.RGBA,
        float ? gl.FLOAT : gl.UNSIGNED_BYTE, null);
      nearest(gl);
      const fb = gl.createFramebuffer();
      gl.bindFramebuffer(gl.FRAMEBUFFER, fb);
      gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, tex, 0);
      gl.viewport(0, 0, width, height);
      gl.disable(gl.SCISSOR_TEST);
      const [H, W] = this.models[i].image_shape;
      this._useCoords(gl, W, H, width, height, view);
      const bicubic = (options.pixels || this.ui.interp.value) === "bicubic";
      this._drawLayer(gl, res, layer, [0, 0], height, false, bicubic);
      const out = float ? new Float32Array(width * height * 4) : new Uint8Array(width * height * 4);
      gl.readPixels(0, 0, width, height, gl.RGBA, float ? gl.FLOAT : gl.UNSIGNED_BYTE, out);
      gl.bindFramebuffer(gl.FRAMEBUFFER, null);
      gl.deleteFramebuffer(fb);
      gl.deleteTexture(tex);
      this.renderMs = performance.now() - t0;
      return float ? out : Float32Array.from(out, (v) => v / 255);
    }

    /**
     * The RGBA pixels the viewer draws for `view` ({x, y, zoom}: centre in image pixels, zoom; default the
     * whole image) at width × height, as a Uint8ClampedArray in row-major order from the top-left, like ImageData.
     */
    async renderPixels(width, height, view = {}, options = {}) {
      const f = await this.renderFloats(width, height, view, options);
      const out = new Uint8ClampedArray(f.length);
      for (let k = 0; k < f.length; k++) out[k] = f[k] * 255; // rounds to nearest, ties to even
      return out;
    }

    requestDraw() {
      if (!this._frame) this._frame = requestAnimationFrame(() => this._draw());
    }

    _panels() {
      const c = this.ui.canvas;
      const side = this.ui.layout.value === "side";
      const stacked = side && this._stacked;
      const w = side && !stacked ? Math.floor(c.width / 2) : c.width;
      const h = stacked ? Math.floor(c.height / 2) : c.height;
      return { side, stacked, w, h };
    }

    async _draw() {
      this._frame = 0;
      if (!this.models.length || !this.resources.has(this.index)) return;
      const res = await this.resources.get(this.index);
      const gl = this.gl;
      const c = this.ui.canvas;
      const t0 = performance.now();
      gl.bindFramebuffer(gl.FRAMEBUFFER, null);
      gl.viewport(0, 0, c.width, c.height);
      gl.disable(gl.SCISSOR_TEST);
      gl.clearColor(0, 0, 0, 0);
      gl.clear(gl.COLOR_BUFFER_BIT);
      const [H, W] = this.model.image_shape;
      const { side, stacked, w, h } = this._panels();
      this._useCoords(gl, W, H, w, h, this.view);
      const bicubic = this.ui.interp.value === "bicubic";
      const pix = res.pixels ? "pixels" : "network";
      gl.enable(gl.SCISSOR_TEST);
      if (side) {
        // network left (or on top), pixels right (or below); GL rows count from the bottom
        const second = stacked ? [0, 0] : [w, 0];
        const first = stacked ? [0, c.height - h] : [0, 0];
        gl.viewport(first[0], first[1], w, h);
        gl.scissor(first[0], first[1], w, h);
        this._drawLayer(gl, res, "network", first, h, true, bicubic);
        gl.viewport(second[0], second[1], w, h);
        gl.scissor(second[0], second[1], w, h);
        this._drawLayer(gl, res, pix, second, h, true, bicubic);
      } else {
        const cut = Math.round(this.split * w);
        gl.scissor(0, 0, cut, h);
        this._drawLayer(gl, res, "network", [0, 0], h, true, bicubic);
        gl.scissor(cut, 0, w - cut, h);
        this._drawLayer(gl, res, pix, [0, 0], h, true, bicubic);
      }
      gl.disable(gl.SCISSOR_TEST);
      const probe = new Uint8Array(4);
      gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, probe); // waits for the frame: an honest frame time
      this.frameMs = performance.now() - t0;
      this._showNumbers();
    }

    // ---------------------------------------------------------------- controls and numbers
    _rungs() {
      const family = this.models[this.index] ? this.models[this.index].family : this.models[0].family;
      return this.models
        .map((m, i) => [m, i])
        .filter(([m]) => m.family === family)
        .sort((a, b) => a[0].n_params - b[0].n_params)
        .map(([, i]) => i);
    }

    _fillControls() {
      const families = [...new Set(this.models.map((m) => m.family))];
      this.ui.family.replaceChildren(...families.map((f) => new Option(f, f)));
      this.ui.familyBox.hidden = families.length < 2;
      this._ladder();
    }

    _ladder() {
      const rungs = this._rungs();
      this.ui.budget.max = String(rungs.length - 1);
      this.ui.ladderBox.hidden = rungs.length < 2;
      this.ui.budget.setAttribute("aria-valuetext", `${fmtCount(this.model ? this.model.n_params : 0)} parameters`);
    }

    _showNumbers() {
      const m = this.model;
      if (!m) return;
      this._ladder();
      this.ui.budgetOut.textContent = `${fmtCount(m.n_params)} params`;
      const parts = [
        `<span><b>network</b> ${m.family} · ${m.n_params.toLocaleString("en")} params · ` +
          `${fmtBytes(m.weights.bytes)} (${m.weights.dtype}) · ${fmtDb(m.psnr)}</span>`,
      ];
      if (m.pixels) {
        const [h, w] = m.pixels.shape;
        parts.push(
          `<span><b>pixels</b> ${w}×${h} px · ${m.pixels.n_values.toLocaleString("en")} values · ` +
            `${fmtBytes(m.pixels.n_values)} (8-bit) · ${fmtDb(m.pixels.psnr)}</span>`,
        );
      }
      if (this.frameMs !== null) parts.push(`<span>frame ${this.frameMs.toFixed(1)}\u00a0ms</span>`);
      this.ui.numbers.innerHTML = parts.join("");
      this.ui.canvas.setAttribute("aria-label", `${m.describe}; zoom ${(this.view.zoom ?? 1).toFixed(2)}×`);
    }

    _layoutChanged() {
      const m = this.model;
      const [H, W] = m ? m.image_shape : [1, 1];
      const side = this.ui.layout.value === "side";
      const width = this.getBoundingClientRect().width || 600;
      this._stacked = side && width < 520;
      const ar = side ? (this._stacked ? W / (2 * H) : (2 * W) / H) : W / H;
      this.ui.frame.style.setProperty("--ar", String(ar));
      this.ui.frame.classList.toggle("side", side);
      const has = !!(m && m.pixels);
      this.ui.tagPix.hidden = !has;
      this.ui.handle.hidden = !has;
      this.ui.handle.style.left = `${100 * this.split}%`;
      this.ui.handle.setAttribute("aria-valuenow", String(Math.round(100 * this.split)));
      this.ui.tagPix.style.right = side && !this._stacked ? "6px" : "6px";
      this._resize();
    }

    _resize() {
      const c = this.ui.canvas;
      const rect = c.getBoundingClientRect();
      const dpr = Math.min(window.devicePixelRatio || 1, 2);
      const w = Math.max(1, Math.round(rect.width * dpr));
      const h = Math.max(1, Math.round(rect.height * dpr));
      if (c.width !== w || c.height !== h) {
        c.width = w;
        c.height = h;
      }
      this.requestDraw();
    }

    // ---------------------------------------------------------------- interaction
    _scale() {
      const [H, W] = this.model.image_shape;
      const { w, h } = this._panels();
      return { scale: Math.min(w / W, h / H) * (this.view.zoom ?? 1), w, h, W, H };
    }

    // the panel-local device-pixel position of a client point
    _local(clientX, clientY) {
      const rect = this.ui.canvas.getBoundingClientRect();
      const dpr = this.ui.canvas.width / rect.width;
      let x = (clientX - rect.left) * dpr;
      let y = (clientY - rect.top) * dpr;
      const { side, stacked, w, h } = this._panels();
      if (side && !stacked && x >= w) x -= w;
      if (side && stacked && y >= h) y -= h;
      return [x, y];
    }

    _zoomAt(factor, clientX, clientY) {
      if (!this.model) return;
      const { scale, w, h, W, H } = this._scale();
      const [sx, sy] = clientX === undefined ? [w / 2, h / 2] : this._local(clientX, clientY);
      const cx = this.view.x ?? W / 2;
      const cy = this.view.y ?? H / 2;
      const px = cx + (sx - w / 2) / scale;
      const py = cy + (sy - h / 2) / scale;
      const zoom = Math.min(4096, Math.max(0.25, (this.view.zoom ?? 1) * factor));
      const ns = scale * (zoom / (this.view.zoom ?? 1));
      this.view = { x: px - (sx - w / 2) / ns, y: py - (sy - h / 2) / ns, zoom };
      this.requestDraw();
    }

    _panBy(dx, dy) {
      if (!this.model) return;
      const { scale, W, H } = this._scale();
      this.view = { ...this.view, x: (this.view.x ?? W / 2) - dx / scale, y: (this.view.y ?? H / 2) - dy / scale };
      this.requestDraw();
    }

    resetView() {
      this.view = {};
      this.requestDraw();
    }

    _hint(text) {
      this.ui.hint.textContent = text;
      this.ui.hint.classList.add("show");
      clearTimeout(this._hintTimer);
      this._hintTimer = setTimeout(() => this.ui.hint.classList.remove("show"), 1600);
    }

    _setSplit(fraction) {
      this.split = Math.max(0, Math.min(1, fraction));
      this.ui.handle.style.left = `${100 * this.split}%`;
      this.ui.handle.setAttribute("aria-valuenow", String(Math.round(100 * this.split)));
      this.requestDraw();
    }

    _bind() {
      const ui = this.ui;
      const c = ui.canvas;
      new ResizeObserver(() => this._layoutChanged()).observe(this);
      // the wheel zooms once the image is active (clicked or focused), or with ctrl (a trackpad pinch):
      // otherwise it scrolls the page, so the viewer never traps page scroll
      c.addEventListener(
        "wheel",
        (e) => {
          if (!(e.ctrlKey || e.metaKey || this._active)) {
            this._hint("click the image to zoom with the wheel");
            return;
          }
          e.preventDefault();
          const step = e.deltaMode === 1 ? 40 : e.deltaMode === 2 ? 400 : 1;
          this._zoomAt(Math.exp(-e.deltaY * step * 0.002), e.clientX, e.clientY);
        },
        { passive: false },
      );
      c.addEventListener("focus", () => {
        this._active = true;
        ui.frame.classList.add("active");
      });
      c.addEventListener("blur", () => {
        this._active = false;
        ui.frame.classList.remove("active");
      });
      c.addEventListener("pointerdown", (e) => {
        c.focus({ preventScroll: true });
        c.setPointerCapture(e.pointerId);
        this.pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      });
      const up = (e) => this.pointers.delete(e.pointerId);
      c.addEventListener("pointerup", up);
      c.addEventListener("pointercancel", up);
      c.addEventListener("pointermove", (e) => {
        const p = this.pointers.get(e.pointerId);
        if (!p) return;
        const dpr = c.width / c.getBoundingClientRect().width;
        if (this.pointers.size === 1) {
          this._panBy((e.clientX - p.x) * dpr, (e.clientY - p.y) * dpr);
        } else if (this.pointers.size === 2) {
          const [a, b] = [...this.pointers.entries()];
          const other = a[0] === e.pointerId ? b[1] : a[1];
          const before = Math.hypot(p.x - other.x, p.y - other.y);
          const after = Math.hypot(e.clientX - other.x, e.clientY - other.y);
          if (before > 0) this._zoomAt(after / before, (e.clientX + other.x) / 2, (e.clientY + other.y) / 2);
          this._panBy(((e.clientX - p.x) * dpr) / 2, ((e.clientY - p.y) * dpr) / 2);
        }
        p.x = e.clientX;
        p.y = e.clientY;
      });
      c.addEventListener("dblclick", (e) => this._zoomAt(2, e.clientX, e.clientY));
      c.addEventListener("keydown", (e) => {
        const pan = 0.1 * Math.min(c.width, c.height);
        const keys = {
          "+": () => this._zoomAt(1.25),
          "=": () => this._zoomAt(1.25),
          "-": () => this._zoomAt(0.8),
          0: () => this.resetView(),
          ArrowLeft: () => this._panBy(pan, 0),
          ArrowRight: () => this._panBy(-pan, 0),
          ArrowUp: () => this._panBy(0, pan),
          ArrowDown: () => this._panBy(0, -pan),
          "[": () => this._step(-1),
          "]": () => this._step(1),
          Escape: () => c.blur(),
        };
        if (keys[e.key] && !e.ctrlKey && !e.metaKey && !e.altKey) {
          e.preventDefault();
          keys[e.key]();
        }
      });
      // the split handle: drag it, or focus it and use the arrow keys
      const h = ui.handle;
      h.addEventListener("pointerdown", (e) => {
        h.setPointerCapture(e.pointerId);
        this._dragSplit = true;
      });
      h.addEventListener("pointermove", (e) => {
        if (!this._dragSplit) return;
        const rect = ui.frame.getBoundingClientRect();
        this._setSplit((e.clientX - rect.left) / rect.width);
      });
      const stop = () => {
        this._dragSplit = false;
      };
      h.addEventListener("pointerup", stop);
      h.addEventListener("pointercancel", stop);
      h.addEventListener("keydown", (e) => {
        const step = e.shiftKey ? 0.1 : 0.02;
        const moves = { ArrowLeft: -step, ArrowDown: -step, ArrowRight: step, ArrowUp: step };
        if (e.key in moves) this._setSplit(this.split + moves[e.key]);
        else if (e.key === "Home") this._setSplit(0);
        else if (e.key === "End") this._setSplit(1);
        else return;
        e.preventDefault();
      });
      ui.budget.addEventListener("input", () => this.select(this._rungs()[Number(ui.budget.value)]));
      ui.family.addEventListener("change", () => {
        const rung = Number(ui.budget.value);
        const same = this.models.map((m, i) => [m, i]).filter(([m]) => m.family === ui.family.value);
        same.sort((a, b) => a[0].n_params - b[0].n_params);
        this.select(same[Math.min(rung, same.length - 1)][1]);
      });
      ui.layout.addEventListener("change", () => this._layoutChanged());
      ui.interp.addEventListener("change", () => this.requestDraw());
      ui.reset.addEventListener("click", () => this.resetView());
      ui.download.addEventListener("click", () => this.downloadPNG());
    }

    _step(delta) {
      const rungs = this._rungs();
      const at = rungs.indexOf(this.index);
      const next = rungs[Math.max(0, Math.min(rungs.length - 1, at + delta))];
      if (next !== this.index) this.select(next);
    }

    /** Save the network as the viewer draws it now (panel size, current view) as a PNG file. */
    async downloadPNG() {
      const { w, h } = this._panels();
      const pixels = await this.renderPixels(w, h, this.view);
      const canvas = document.createElement("canvas");
      canvas.width = w;
      canvas.height = h;
      canvas.getContext("2d").putImageData(new ImageData(pixels, w, h), 0, 0);
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = `${this.model.name}.png`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    }
  }

  PixparamViewer.encodings = ENCODINGS;
  PixparamViewer.activations = ACTIVATIONS;
  PixparamViewer.kinds = KINDS;
  PixparamViewer.viewCoords = viewCoords;
  window.PixparamViewer = PixparamViewer;
  customElements.define("pixparam-viewer", PixparamViewer);
})();
