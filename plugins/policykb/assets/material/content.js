// Material's partials/javascripts/content.html (without content.tabs.link).
var target=document.getElementById(location.hash.slice(1));target&&target.name&&(target.checked=target.name.startsWith("__tabbed_"))
