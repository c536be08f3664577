# HOSTILE ON PURPOSE: output that would inject markup or terminal control into a page.
import sys

sys.stdout.write("<script>alert('xss')</script>\n")
sys.stdout.write("</pre></div><img src=x onerror=alert(1)>&amp;\n")
sys.stdout.write("\x1b[31mred\x1b[0m \x1b]0;title\x07 \x1b[2J cleared \x1b]8;;http://evil.example/\x1b\\link\x1b]8;;\x1b\\\n")
sys.stdout.write("bell\a backspace\b\b carriage\rreturn nul\0end\n")
