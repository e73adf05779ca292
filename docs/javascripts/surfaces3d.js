// Draws every 3-D surface of the page from the JSON that the build put beside it
// (tools/mkdocs_surfaces.py), with the plotly.js copy that the site ships.
document.querySelectorAll("script.rdp-surface3d-data").forEach((data) => {
  const box = document.getElementById(data.dataset.for);
  const { figure } = JSON.parse(data.textContent);
  Plotly.newPlot(box, figure.data, figure.layout, {
    responsive: true,
    displaylogo: false,
    toImageButtonOptions: { format: "png", filename: data.dataset.for },
  });
});
