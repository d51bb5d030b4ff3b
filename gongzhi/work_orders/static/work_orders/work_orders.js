/* Work-order pages: category search, units by building, photo previews, map point,
 * submit-once. Everything works without this file; it only makes the forms quicker. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function readJson(id) {
    var node = document.getElementById(id);
    if (!node) {
      return null;
    }
    try {
      return JSON.parse(node.textContent);
    } catch (e) {
      return null;
    }
  }

  // --- category picker: type to narrow the list ---------------------------------------
  function setupCategories() {
    var picker = document.querySelector("[data-category-picker]");
    if (!picker) {
      return;
    }
    var search = picker.querySelector("[data-category-search]");
    var select = picker.querySelector("[data-category-select]");
    var empty = picker.querySelector("[data-category-empty]");
    if (!search || !select) {
      return;
    }
    var options = Array.prototype.slice.call(select.querySelectorAll("option"));
    search.addEventListener("input", function () {
      var term = search.value.trim().toLowerCase();
      var first = null;
      options.forEach(function (option) {
        if (!option.value) {
          return;
        }
        var match = !term || option.textContent.toLowerCase().indexOf(term) !== -1;
        option.hidden = !match;
        option.disabled = !match;
        if (match && !first) {
          first = option;
        }
      });
      select.querySelectorAll("optgroup").forEach(function (group) {
        var visible = group.querySelector("option:not([hidden])");
        group.hidden = !visible;
      });
      if (term && first) {
        select.value = first.value;
      }
      if (empty) {
        empty.hidden = !term || Boolean(first);
      }
    });
  }

  // --- units follow the chosen building --------------------------------------------------
  function setupUnits() {
    var map = readJson("wo-unit-buildings");
    var unit = document.querySelector("select[data-units]");
    var building = document.getElementById("id_building");
    if (!map || !unit || !building) {
      return;
    }
    function sync() {
      var chosen = building.value;
      Array.prototype.forEach.call(unit.options, function (option) {
        if (!option.value) {
          return;
        }
        var show = !chosen || map[option.value] === chosen;
        option.hidden = !show;
        option.disabled = !show;
      });
      if (unit.selectedOptions[0] && unit.selectedOptions[0].disabled) {
        unit.value = "";
      }
      var field = unit.closest(".field");
      if (field) {
        field.hidden = !chosen;
      }
    }
    building.addEventListener("change", sync);
    sync();
  }

  // --- photo previews -------------------------------------------------------------------
  function setupPhotos() {
    var input = document.querySelector("input[type=file][name=photos]");
    var list = document.querySelector("[data-photo-previews]");
    if (!input || !list) {
      return;
    }
    var count = document.querySelector("[data-photo-count]");
    input.addEventListener("change", function () {
      var n = (input.files || []).length;
      if (count) {
        count.textContent = n
          ? (count.getAttribute("data-some") || "%(count)s").replace("%(count)s", String(n))
          : count.getAttribute("data-none") || "";
      }
      list.textContent = "";
      Array.prototype.slice.call(input.files || [], 0, 9).forEach(function (file) {
        var item = document.createElement("li");
        if (file.type.indexOf("image/") === 0 && window.URL && URL.createObjectURL) {
          var img = document.createElement("img");
          img.src = URL.createObjectURL(file);
          img.alt = file.name;
          item.appendChild(img);
        } else {
          item.textContent = file.name;
        }
        list.appendChild(item);
      });
      if (input.files && input.files.length > 9) {
        var warn = document.createElement("li");
        warn.className = "photo-previews__warn";
        warn.textContent = input.getAttribute("data-too-many") || "> 9";
        list.appendChild(warn);
      }
    });
  }

  // --- map point without remote tiles: boundaries on a plain background ------------------
  function setupMap() {
    var holder = document.querySelector("[data-map]");
    var details = document.querySelector("[data-map-details]");
    if (!holder || !details || typeof window.L === "undefined") {
      return;
    }
    var map = null;
    var marker = null;
    var latInput = document.getElementById(holder.getAttribute("data-lat-input"));
    var lngInput = document.getElementById(holder.getAttribute("data-lng-input"));
    var status = document.querySelector("[data-map-status]");
    function open() {
      if (map) {
        map.invalidateSize();
        return;
      }
      var lat = parseFloat(holder.getAttribute("data-centre-lat")) || 22.5405;
      var lng = parseFloat(holder.getAttribute("data-centre-lng")) || 113.9345;
      map = window.L.map(holder, { attributionControl: false }).setView([lat, lng], 16);
      var boundary = readJson(holder.getAttribute("data-boundary-id") || "");
      if (boundary) {
        var layer = window.L.geoJSON(boundary, { style: { color: "#1747b8", weight: 2, fillOpacity: 0.05 } }).addTo(map);
        try {
          map.fitBounds(layer.getBounds(), { padding: [12, 12] });
        } catch (e) {
          /* an empty geometry: keep the centre */
        }
      }
      if (latInput && latInput.value && lngInput && lngInput.value) {
        marker = window.L.circleMarker([parseFloat(latInput.value), parseFloat(lngInput.value)], { radius: 9 }).addTo(map);
      }
      map.on("click", function (event) {
        var p = event.latlng;
        if (marker) {
          marker.setLatLng(p);
        } else {
          marker = window.L.circleMarker(p, { radius: 9, color: "#b42318" }).addTo(map);
        }
        if (latInput) {
          latInput.value = p.lat.toFixed(6);
        }
        if (lngInput) {
          lngInput.value = p.lng.toFixed(6);
        }
        if (status) {
          status.textContent = p.lat.toFixed(5) + ", " + p.lng.toFixed(5);
        }
      });
    }
    details.addEventListener("toggle", function () {
      if (details.open) {
        open();
      }
    });
  }

  // --- a second tap on a submit button does nothing (the server also checks a token) ---
  function setupSubmitOnce() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var button = form.querySelector("[data-submit-once]");
      if (!button) {
        return;
      }
      if (form.getAttribute("data-sent") === "1") {
        event.preventDefault();
        return;
      }
      form.setAttribute("data-sent", "1");
      button.setAttribute("aria-disabled", "true");
      button.classList.add("is-busy");
    });
  }

  // --- bulk dispatch: the button says how many are selected -----------------------------
  function setupBulk() {
    var form = document.getElementById("bulk-form");
    if (!form) {
      return;
    }
    var rows = document.querySelector("[data-testid=inbox-rows]");
    if (rows) {
      rows.addEventListener("change", function () {
        var count = rows.querySelectorAll("input[name=ids]:checked").length;
        form.setAttribute("data-selected", String(count));
      });
    }
  }

  // --- "me too": the same problem already on the board, offered while the resident types --
  function setupSimilar() {
    var box = document.querySelector("[data-similar]");
    var form = box && box.closest("form");
    if (!box || !form || !window.fetch) {
      return;
    }
    var description = form.querySelector("[name=description]");
    var fields = ["area", "title", "lat", "lng", "address"];
    var timer = null;
    var last = "";
    function query() {
      var params = new URLSearchParams();
      params.set("description", description ? description.value.trim() : "");
      fields.forEach(function (name) {
        var input = form.querySelector("[name=" + name + "]");
        if (input && input.value) {
          params.set(name, input.value.trim());
        }
      });
      return params;
    }
    function look() {
      var params = query();
      if ((params.get("description") || "").length < 6 || !params.get("area")) {
        return;
      }
      var key = params.toString();
      if (key === last) {
        return;
      }
      last = key;
      fetch(box.getAttribute("data-similar-url") + "?" + key, { credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.text() : "";
        })
        .then(function (html) {
          if (key === last) {
            box.innerHTML = html;
          }
        })
        .catch(function () {});
    }
    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(look, 700);
    }
    form.addEventListener("input", function (event) {
      var name = event.target && event.target.name;
      if (name === "description" || fields.indexOf(name) !== -1) {
        later();
      }
    });
    form.addEventListener("change", later);
    box.addEventListener("click", function (event) {
      var button = event.target.closest("[data-follow-url]");
      if (!button) {
        return;
      }
      var token = form.querySelector("[name=csrfmiddlewaretoken]");
      button.disabled = true;
      fetch(button.getAttribute("data-follow-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": token ? token.value : "" },
      })
        .then(function (response) {
          return response.json();
        })
        .then(function (body) {
          var item = button.closest("[data-similar-order]");
          var done = item && item.querySelector("[data-follow-done]");
          if (done) {
            done.textContent = body.detail || "";
            if (body.mine) {
              var link = document.createElement("a");
              link.href = body.mine;
              link.textContent = box.getAttribute("data-mine-label") || body.mine;
              done.appendChild(document.createTextNode(" "));
              done.appendChild(link);
            }
            done.hidden = false;
          }
          button.hidden = Boolean(body.following);
          button.disabled = false;
        })
        .catch(function () {
          button.disabled = false;
        });
    });
  }

  function start() {
    setupSimilar();
    setupCategories();
    setupUnits();
    setupPhotos();
    setupMap();
    setupSubmitOnce();
    setupBulk();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
