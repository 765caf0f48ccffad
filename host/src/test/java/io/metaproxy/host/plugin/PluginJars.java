package io.metaproxy.host.plugin;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;

/**
 * Builds real PF4J plugin jars in tests: compiles Java source with the JDK's compiler against the test class path and
 * packs it with a PF4J manifest and extension index, as the Maven build does for plugins/.
 */
final class PluginJars {
  private PluginJars() {}

  /**
   * @param extensionClass the fully qualified extension class name the index lists
   * @param source its source code
   */
  static Path build(Path directory, String pluginId, String version, String extensionClass, String source)
      throws IOException {
    Path classes = Files.createTempDirectory(directory.getParent(), "classes");
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    try (StandardJavaFileManager files = compiler.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
      files.setLocation(StandardLocation.CLASS_OUTPUT, List.of(classes.toFile()));
      JavaFileObject unit = new SimpleJavaFileObject(
          URI.create("string:///" + extensionClass.replace('.', '/') + ".java"), JavaFileObject.Kind.SOURCE) {
        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
          return source;
        }
      };
      List<String> options = new ArrayList<>(List.of("-proc:none", "-classpath", System.getProperty("java.class.path")));
      if (!compiler.getTask(null, files, null, options, null, List.of(unit)).call()) {
        throw new IllegalStateException("test plugin did not compile");
      }
    }
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().putValue("Plugin-Id", pluginId);
    manifest.getMainAttributes().putValue("Plugin-Version", version);
    Path jar = directory.resolve(pluginId + ".jar");
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out, manifest)) {
      jarOut.putNextEntry(new JarEntry("META-INF/extensions.idx"));
      jarOut.write((extensionClass + "\n").getBytes(StandardCharsets.UTF_8));
      jarOut.closeEntry();
      try (var walk = Files.walk(classes)) {
        for (Path file : walk.filter(Files::isRegularFile).toList()) {
          jarOut.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
          jarOut.write(Files.readAllBytes(file));
          jarOut.closeEntry();
        }
      }
    }
    return jar;
  }
}
