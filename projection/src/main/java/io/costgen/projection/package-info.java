/**
 * Daily cost projection: what it costs per day, in compute, to serve a chat service, from first
 * principles (the {@link io.costgen.cost.RooflineModel} on a
 * {@link io.costgen.cost.HardwareProfile}), from a measured throughput, or from a measurement
 * calibrated through the roofline.
 *
 * <ul>
 *   <li>{@link io.costgen.projection.DailyCostProjection} — inputs (builder), the projection
 *       ({@code project()} → {@code Result}), the training side, sensitivity ({@code vary}).
 *   <li>{@link io.costgen.projection.MeasuredWorkload} — a measurement to calibrate with.
 *   <li>{@link io.costgen.projection.SensitivitySpec} /
 *       {@link io.costgen.projection.SensitivityTable} — one input varied ({@code --vary}).
 *   <li>{@link io.costgen.projection.Scenario} /
 *       {@link io.costgen.projection.ScenarioResult} — JSON scenarios; built-ins reproduce
 *       SemiAnalysis (2023), Goldstein (2022) and Epoch AI (2025).
 *   <li>{@link io.costgen.projection.report.ProjectionJson} (JSON, CSV) and
 *       {@link io.costgen.projection.report.HtmlReport} (self-contained HTML with SVG charts).
 * </ul>
 *
 * <p>The model, its assumptions and limits, and the scenarios worked through:
 * {@code docs/daily-cost.md}. Every type is immutable or stateless, and thread-safe.
 */
package io.costgen.projection;
