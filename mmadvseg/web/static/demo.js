// The mmadvseg web demo: a canvas to draw on, uploads and examples, sent
// to POST /api/colorize of this server; nothing else is fetched.
'use strict';

const $ = (id) => document.getElementById(id);
const canvas = $('canvas');
const ctx = canvas.getContext('2d');
const OUTPUTS = ['colour', 'segmentation', 'things', 'sketch'];
const UNDO_LIMIT = 30;
const CANVAS_SIDE = 512;  // the canvas is an integer multiple of the model size

let info = null;          // GET /api/info
let scale = 1;            // canvas pixels per model pixel
let tool = 'pen';
let drawing = false;
let last = null;
let busy = false;
let pending = null;       // the newest input sent while busy
const undoStack = [];

function setState(state) { document.body.dataset.state = state; }

function message(text) {
  $('message').textContent = text || '';
  $('message').hidden = !text;
}

function list(element, items) {
  element.replaceChildren(...items.map((text) => {
    const li = document.createElement('li');
    li.textContent = text;
    return li;
  }));
}

// -- the canvas -----------------------------------------------------------
function resetCanvas(width, height) {
  canvas.width = width;
  canvas.height = height;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
}

function pushUndo() {
  undoStack.push(ctx.getImageData(0, 0, canvas.width, canvas.height));
  if (undoStack.length > UNDO_LIMIT) undoStack.shift();
}

function penWidth() { return Math.max(2, scale); }

function point(event) {
  const rect = canvas.getBoundingClientRect();
  return {
    x: (event.clientX - rect.left) * canvas.width / rect.width,
    y: (event.clientY - rect.top) * canvas.height / rect.height,
  };
}

function stroke(from, to) {
  const pen = tool === 'pen';
  ctx.strokeStyle = pen ? '#000' : '#fff';
  ctx.lineWidth = pen ? penWidth() : 5 * penWidth();
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.beginPath();
  ctx.moveTo(from.x, from.y);
  ctx.lineTo(to.x, to.y);
  ctx.stroke();
}

canvas.addEventListener('pointerdown', (event) => {
  if (event.button !== 0 || !info) return;
  pushUndo();
  drawing = true;
  canvas.setPointerCapture(event.pointerId);
  last = point(event);
  stroke(last, last);
  event.preventDefault();
});
canvas.addEventListener('pointermove', (event) => {
  if (!drawing) return;
  const next = point(event);
  stroke(last, next);
  last = next;
});
function endStroke() {
  if (!drawing) return;
  drawing = false;
  sendCanvas('your drawing');
}
canvas.addEventListener('pointerup', endStroke);
canvas.addEventListener('pointercancel', endStroke);

function selectTool(name) {
  tool = name;
  $('pen').setAttribute('aria-pressed', String(name === 'pen'));
  $('eraser').setAttribute('aria-pressed', String(name === 'eraser'));
}

function undo() {
  const previous = undoStack.pop();
  if (!previous) return;
  if (previous.width !== canvas.width || previous.height !== canvas.height) {
    resetCanvas(previous.width, previous.height);
  }
  ctx.putImageData(previous, 0, 0);
  sendCanvas('your drawing');
}

function clearCanvas() {
  pushUndo();
  resetCanvas(scale * info.size, scale * info.size);
}

// Draw an image into the canvas at an integer scale (pixels kept sharp,
// so the server's resize gives the image back exactly).
function loadIntoCanvas(src) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => {
      pushUndo();
      const k = Math.max(1, Math.floor(CANVAS_SIDE / Math.max(img.width, img.height)));
      resetCanvas(k * img.width, k * img.height);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
      resolve();
    };
    img.onerror = () => reject(new Error('cannot show the image'));
    img.src = src;
  });
}

// -- requests -------------------------------------------------------------
function sendCanvas(name) {
  canvas.toBlob((blob) => submit(blob, 'sketch', name), 'image/png');
}

function readAsDataURL(blob) {
  return new Promise((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.readAsDataURL(blob);
  });
}

// toCanvas: show the sketch that was colourized in the canvas (uploads).
async function submit(blob, kind, name, toCanvas = false) {
  if (busy) {  // only the newest waiting input is kept
    pending = { blob, kind, name, toCanvas };
    return;
  }
  busy = true;
  setState('busy');
  $('status').textContent = `Colourizing ${name}`;
  try {
    if (blob.size > info.max_upload_bytes) {
      const mb = Math.floor(info.max_upload_bytes / 2 ** 20);
      throw new Error(`${name}: larger than ${mb} MB; upload a smaller file`);
    }
    let response;
    try {
      response = await fetch(`/api/colorize?kind=${kind}`, {
        method: 'POST',
        body: blob,
        headers: {
          'Content-Type': 'application/octet-stream',
          'X-File-Name': encodeURIComponent(name),
        },
      });
    } catch (err) {
      throw new Error(`cannot reach the demo server (${err.message})`);
    }
    let data;
    try {
      data = await response.json();
    } catch (err) {
      data = { error: `the server answered ${response.status}` };
    }
    if (!response.ok || data.error) throw new Error(data.error);
    await show(data, blob, toCanvas);
    message('');
    $('status').textContent = `Colourized ${name}.`;
  } catch (err) {
    message(err.message);
    $('status').textContent = 'Nothing was colourized.';
  } finally {
    busy = false;
    document.body.dataset.results = String(Number(document.body.dataset.results) + 1);
    if (pending) {
      const next = pending;
      pending = null;
      submit(next.blob, next.kind, next.name, next.toCanvas);
    } else {
      setState('idle');
    }
  }
}

async function show(data, sent, toCanvas) {
  for (const key of OUTPUTS) {
    const img = $(key);
    const src = data.images[key];
    img.parentElement.hidden = !src;
    if (src) img.src = src; else img.removeAttribute('src');
  }
  $('download-colour').href = data.images.colour;
  if (data.images.segmentation) $('download-segmentation').href = data.images.segmentation;
  $('download-sent').href = await readAsDataURL(sent);
  $('legend').replaceChildren(...data.legend.map(([name, colour]) => {
    const li = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.backgroundColor = colour;
    li.append(swatch, name);
    return li;
  }));
  list($('notes'), data.notes);
  if (toCanvas) await loadIntoCanvas(data.images.sketch);  // edit it further
}

function upload(input, kind) {
  const file = input.files[0];
  input.value = '';
  if (file) submit(file, kind, file.name, true);
}

async function useExample(index) {
  try {
    await loadIntoCanvas(`/api/examples/${index}.png`);
    sendCanvas(`example ${index + 1}`);
  } catch (err) {
    message(err.message);
  }
}

// -- start ----------------------------------------------------------------
async function start() {
  try {
    info = await (await fetch('/api/info')).json();
  } catch (err) {
    message(`cannot reach the demo server (${err.message})`);
    setState('error');
    return;
  }
  scale = Math.max(1, Math.floor(CANVAS_SIDE / info.size));
  resetCanvas(scale * info.size, scale * info.size);
  $('model').textContent = `Model: ${info.model} (${info.generator}); ` +
    `sketches are colourized at ${info.size} pixels.`;
  $('randomness').textContent = `Colours: ${info.randomness}.`;
  list($('about'), info.notes);
  $('examples').replaceChildren(...Array.from({ length: info.examples }, (_, i) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.title = `example ${i + 1}`;
    const img = document.createElement('img');
    img.src = `/api/examples/${i}.png`;
    img.alt = `example sketch ${i + 1}`;
    button.append(img);
    button.addEventListener('click', () => useExample(i));
    return button;
  }));
  $('pen').addEventListener('click', () => selectTool('pen'));
  $('eraser').addEventListener('click', () => selectTool('eraser'));
  $('undo').addEventListener('click', undo);
  $('clear').addEventListener('click', clearCanvas);
  $('run').addEventListener('click', () => sendCanvas('your drawing'));
  $('upload-sketch').addEventListener('change', (e) => upload(e.target, 'sketch'));
  $('upload-photo').addEventListener('change', (e) => upload(e.target, 'photo'));
  document.addEventListener('keydown', (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === 'z') {
      event.preventDefault();
      undo();
    }
  });
  setState('idle');
}

start();
