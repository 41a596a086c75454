{#- The header's scheme switch and search box, written by a script where the header would
    carry them: neither does anything without a script (Material's palette and search.js
    drive them), so a page need not carry their 2 KB; this file, rendered once per build
    from Material's markup (partials/palette.html, search.html; a static template, see
    site_config), is cached once. Before it Material's start-up script (the reader's stored
    choices: partials/javascripts/base.js), after it Material's palette start-up script,
    which sets the reader's chosen scheme before the page shows (…/palette.js). -#}
{%- import "partials/language.html" as lang with context -%}
{%- set features = config.theme.features or [] -%}
{%- set markup -%}
{%- if config.theme.palette and config.theme.palette is not mapping %}{% include "partials/palette.html" %}{% endif -%}
{%- if "material/search" in config.plugins and config.plugins["material/search"].config.enabled -%}
<label class="md-header__button md-icon" for="__search">{% include ".icons/material/magnify.svg" %}</label>
{%- include "partials/search.html" -%}
{%- endif -%}
{%- endset -%}
{% if not config.extra.scope %}{% include "partials/javascripts/base.js" %}
{% endif -%}
// The header's scheme switch and search box (theme/assets/policykb/header.js): written
// before Material's bundle and search.js, which find them as if the page carried them.
document.currentScript.insertAdjacentHTML("beforebegin", {{ markup | tojson }});
{% if config.theme.palette is not mapping %}{% include "partials/javascripts/palette.js" %}{% endif %}
