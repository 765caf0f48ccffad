/**
 * The codec-author kit's worked example ({@code protocol: example}): a small length-prefixed private protocol whose
 * headers are its metadata. Start with {@link io.metaproxy.codec.example.ExampleCodec}; the module's README.md walks
 * through it and through packaging it as a plugin.
 */
package io.metaproxy.codec.example;
