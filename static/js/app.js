/* ITPP Tracker: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  document.documentElement.classList.remove("no-js");

  /* A list of checkboxes marked data-filterable gets a search box that hides the options
     whose label does not match (the Allies on the activity form). */
  function enhanceFilterable(list) {
    if (list.dataset.enhanced) {
      return;
    }
    list.dataset.enhanced = "true";
    var input = document.createElement("input");
    input.type = "search";
    input.className = "form-control form-control-sm mb-2";
    input.placeholder = list.dataset.filterable || "Type to filter";
    input.setAttribute("aria-label", list.dataset.filterable || "Type to filter");
    if (list.id) {
      input.setAttribute("aria-controls", list.id);
    }
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    list.parentNode.insertBefore(input, list);
    list.parentNode.insertBefore(status, list.nextSibling);

    var options = Array.prototype.slice.call(list.querySelectorAll(".form-check"));
    input.addEventListener("input", function () {
      var term = input.value.trim().toLowerCase();
      var shown = 0;
      options.forEach(function (option) {
        var checked = option.querySelector("input").checked;
        var match = !term || option.textContent.toLowerCase().indexOf(term) !== -1;
        // Ticked options stay visible, so a choice is never hidden from its maker.
        option.hidden = !(match || checked);
        if (!option.hidden) {
          shown += 1;
        }
      });
      status.textContent = shown + " shown";
    });
    // Enter in the search box would submit the whole form.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
      }
    });
  }

  /* Filter disclosures tell how many options are ticked, so closed ones still inform. */
  function countTicked(box) {
    var badge = box.querySelector("[data-ticked]");
    if (!badge) {
      return;
    }
    var n = box.querySelectorAll("input[type=checkbox]:checked").length;
    badge.textContent = n ? String(n) : "";
    badge.hidden = !n;
  }

  function enhance(root) {
    root.querySelectorAll("[data-filterable]").forEach(enhanceFilterable);
    root.querySelectorAll(".filter-box").forEach(countTicked);
  }

  document.addEventListener("change", function (event) {
    var box = event.target.closest && event.target.closest(".filter-box");
    if (box) {
      countTicked(box);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
  });
  document.addEventListener("htmx:load", function (event) {
    enhance(event.target);
  });
})();
