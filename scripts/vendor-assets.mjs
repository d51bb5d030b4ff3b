// Copies the browser builds of our npm dependencies into gongzhi/web/vendor/,
// which Django serves as static files. Run by `make install` after `npm ci`.
import { cpSync, mkdirSync } from "node:fs";

const out = "gongzhi/web/vendor";
const files = [
  ["node_modules/htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"],
  ["node_modules/echarts/dist/echarts.min.js", "echarts/echarts.min.js"],
  ["node_modules/leaflet/dist/leaflet.js", "leaflet/leaflet.js"],
  ["node_modules/leaflet/dist/leaflet.css", "leaflet/leaflet.css"],
  ["node_modules/leaflet/dist/images", "leaflet/images"],
];
for (const [src, dest] of files) {
  const target = `${out}/${dest}`;
  mkdirSync(target.substring(0, target.lastIndexOf("/")), { recursive: true });
  cpSync(src, target, { recursive: true });
}
console.log(`vendored ${files.length} assets into ${out}`);
