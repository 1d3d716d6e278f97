package io.swarmscaler.model;

/** What a firing policy asks for: add nodes, remove nodes, or only tell the operator ({@code scale=no}). */
public enum ScaleDirection {
    UP,
    DOWN,
    NOTIFY_ONLY
}
